/*
 * dateline — what the language server shows of a document: symbols,
 * diagnostics, folding ranges, selection ranges, semantic tokens, code
 * actions and the context of a hover.
 *
 * Whatever counts or credits (paragraph numbers, words, quotations and
 * their speakers, where blocks and the dateline are, sentences) comes from
 * the document's article model, the one `dateline outline` prints: the
 * server derives none of it again. Folding, semantic tokens and selection
 * are syntax and read the tree-sitter tree. Large results (symbols, tokens)
 * are written as JSON text straight away.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "dateline/text.h"
#include "lsp_internal.h"

/* LSP SymbolKind values used for article parts (documented in docs/editors.md). */
enum {
    KIND_NAMESPACE = 3, /* section (subhead) */
    KIND_CLASS = 5,     /* headline */
    KIND_PROPERTY = 7,  /* byline */
    KIND_CONSTANT = 14, /* quotation */
    KIND_STRING = 15,   /* paragraph */
    KIND_ARRAY = 18,    /* list */
    KIND_KEY = 20,      /* dateline */
    KIND_EVENT = 24,    /* editor's note */
};

static bool is(TSNode node, TSSymbol symbol)
{
    return ts_node_symbol(node) == symbol;
}

static bool is_block(const dl_lsp_symbols *g, TSNode node)
{
    TSSymbol s = ts_node_symbol(node);
    return s == g->paragraph || s == g->list || s == g->editor_note || s == g->headline ||
           s == g->dek || s == g->byline || s == g->timestamp || s == g->subhead;
}

/* ------------------------------------------------------------ positions -- */

/* How many bytes of `x` have bit 7 set, when no other bit is: the bits,
 * moved to the bottom of their bytes, summed into the top byte. */
static uint32_t count_high_bits(uint64_t x)
{
    return (uint32_t)(((x >> 7) * 0x0101010101010101ull) >> 56);
}

/* Columns in UTF-16 units: every byte that does not continue a character
 * counts one, a 4-byte character two. Long paragraphs are single lines, so
 * this runs over hundreds of bytes per position: eight bytes at a time. */
static uint32_t utf16_units(const char *text, uint32_t from, uint32_t to)
{
    const uint64_t high = 0x8080808080808080ull; /* bit 7 of each byte */
    const unsigned char *p = (const unsigned char *)text;
    uint32_t units = 0, i = from;
    for (; i < to && to - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof(w));
        /* Shifting left brings bits 6, 5 and 4 of each byte under its bit 7. */
        uint64_t continuation = w & ~(w << 1) & high;                   /* 10xxxxxx */
        uint64_t four_byte_start = w & (w << 1) & (w << 2) & (w << 3) & high; /* 1111xxxx */
        units += 8 - count_high_bits(continuation) + count_high_bits(four_byte_start);
    }
    for (; i < to; i++)
        units += ((p[i] & 0xC0) != 0x80) + (p[i] >= 0xF0);
    return units;
}

json_t *dl_lsp_range_json(const dl_lsp_document *doc, uint32_t start, uint32_t end,
                          dl_lsp_encoding enc)
{
    uint32_t l1, c1, l2, c2;
    dl_lsp_document_position(doc, start, enc, &l1, &c1);
    dl_lsp_document_position(doc, end, enc, &l2, &c2);
    return json_pack("{s:{s:i, s:i}, s:{s:i, s:i}}", "start", "line", (int)l1, "character",
                     (int)c1, "end", "line", (int)l2, "character", (int)c2);
}

/* ------------------------------------------------------------- symbols -- */

/* How many words name an outline item, by kind. */
#define HEADLINE_WORDS 24
#define BYLINE_WORDS 16
#define SECTION_WORDS 12
#define QUOTE_WORDS 10
#define DATELINE_WORDS 8

/* Positions already written on the current line: a paragraph is one long
 * line, and its range, dateline and quotations all fall on it, so the next
 * position is counted on from the nearest one before it. */
#define KNOWN_POSITIONS 4

typedef struct {
    uint32_t offset, character;
} known_position;

typedef struct {
    dl_lsp_buf *out;
    const dl_lsp_document *doc;
    const dl_article *article;
    dl_lsp_encoding enc;
    size_t next_quotation; /* the first quotation not written yet */
    int first;             /* no symbol written yet at the current level */
    uint32_t line, line_start, line_end; /* the current line: [line_start, line_end) */
    known_position known[KNOWN_POSITIONS];
    size_t known_next;
} symbol_writer;

static void put_position(symbol_writer *w, uint32_t offset)
{
    const dl_lsp_document *doc = w->doc;
    if (offset < w->line_start || offset >= w->line_end || w->line_end == 0) {
        uint32_t column;
        dl_lsp_document_position(doc, offset, DL_LSP_UTF8, &w->line, &column);
        w->line_start = offset - column;
        w->line_end = w->line + 1 < doc->line_count ? doc->lines[w->line + 1] : (uint32_t)doc->size + 1;
        for (size_t i = 0; i < KNOWN_POSITIONS; i++)
            w->known[i] = (known_position){w->line_start, 0};
    }
    known_position from = {w->line_start, 0};
    for (size_t i = 0; i < KNOWN_POSITIONS; i++)
        if (w->known[i].offset <= offset && w->known[i].offset >= from.offset)
            from = w->known[i];
    uint32_t character = from.character + (w->enc == DL_LSP_UTF16
                                               ? utf16_units(doc->text, from.offset, offset)
                                               : offset - from.offset);
    w->known[w->known_next++ % KNOWN_POSITIONS] = (known_position){offset, character};
    dl_lsp_buf_puts(w->out, "{\"line\":");
    dl_lsp_buf_put_uint(w->out, w->line);
    dl_lsp_buf_puts(w->out, ",\"character\":");
    dl_lsp_buf_put_uint(w->out, character);
    dl_lsp_buf_put(w->out, "}", 1);
}

static void put_range(symbol_writer *w, uint32_t start, uint32_t end)
{
    dl_lsp_buf_puts(w->out, "{\"start\":");
    put_position(w, start);
    dl_lsp_buf_puts(w->out, ",\"end\":");
    put_position(w, end);
    dl_lsp_buf_put(w->out, "}", 1);
}

/* `{"name":..., "kind":..., "range":..., "selectionRange":...` of a
 * symbol named `prefix` then `name` ("(empty)" when both are empty); the
 * caller adds detail and children and closes it. */
static void begin_symbol(symbol_writer *w, int kind, const char *prefix, const char *name,
                         const dl_range *range, const dl_range *selection)
{
    dl_lsp_buf *out = w->out;
    if (!w->first)
        dl_lsp_buf_put(out, ",", 1);
    w->first = 0;
    dl_lsp_buf named = {0};
    dl_lsp_buf_puts(&named, prefix);
    dl_lsp_buf_puts(&named, name ? name : "");
    if (named.size == 0)
        dl_lsp_buf_puts(&named, "(empty)");
    out->failed |= named.failed || name == NULL;
    dl_lsp_buf_puts(out, "{\"name\":");
    dl_lsp_buf_json_string(out, named.data ? named.data : "", named.size);
    dl_lsp_buf_dispose(&named);
    dl_lsp_buf_printf(out, ",\"kind\":%d,\"range\":", kind);
    put_range(w, range->start_byte, range->end_byte);
    dl_lsp_buf_puts(out, ",\"selectionRange\":");
    put_range(w, selection->start_byte, selection->end_byte);
}

/* begin_symbol named by the first `words` words of `text`. */
static void begin_named(symbol_writer *w, int kind, const char *prefix, const char *text,
                        size_t size, unsigned words, const dl_range *range,
                        const dl_range *selection)
{
    char *name = dl_article_first_words(text, size, words);
    begin_symbol(w, kind, prefix, name, range, selection);
    free(name);
}

/* Past the quotations of a block that is not written. */
static void skip_quotations(symbol_writer *w, size_t block)
{
    const dl_article *a = w->article;
    while (w->next_quotation < a->quotation_count && a->quotations[w->next_quotation].block == block)
        w->next_quotation++;
}

/* The children of an item: the dateline when it opens the item, then its
 * quotations (those of `block`) with their speakers as detail. */
static void write_children(symbol_writer *w, size_t block, const dl_range *range)
{
    const dl_article *a = w->article;
    const dl_span *dateline = a->dateline;
    bool has_dateline = block != DL_NO_BLOCK && dateline &&
                        dateline->range.start_byte >= range->start_byte &&
                        dateline->range.end_byte <= range->end_byte;
    size_t from = w->next_quotation;
    skip_quotations(w, block);
    if (!has_dateline && from == w->next_quotation)
        return;
    dl_lsp_buf_puts(w->out, ",\"children\":[");
    w->first = 1;
    if (has_dateline) {
        begin_named(w, KIND_KEY, "", dateline->text, dateline->size, DATELINE_WORDS,
                    &dateline->range, &dateline->range);
        dl_lsp_buf_puts(w->out, "}");
    }
    for (size_t i = from; i < w->next_quotation; i++) {
        const dl_quotation *q = &a->quotations[i];
        char *name = dl_article_first_words(q->text, strlen(q->text), QUOTE_WORDS);
        dl_lsp_buf quoted = {0};
        dl_lsp_buf_puts(&quoted, "“");
        dl_lsp_buf_puts(&quoted, name ? name : "");
        dl_lsp_buf_puts(&quoted, "”");
        begin_symbol(w, KIND_CONSTANT, "", name ? quoted.data : NULL, &q->span.range,
                     &q->span.range);
        dl_lsp_buf_dispose(&quoted);
        free(name);
        if (q->speaker) {
            dl_lsp_buf_puts(w->out, ",\"detail\":");
            dl_lsp_buf_json_string(w->out, q->speaker, strlen(q->speaker));
        }
        dl_lsp_buf_puts(w->out, "}");
    }
    dl_lsp_buf_puts(w->out, "]");
}

/* A byline, named by its first line. */
static void write_byline(symbol_writer *w, const dl_span *span, size_t block, const dl_range *range)
{
    size_t line = 0;
    while (line < span->size && span->text[line] != '\r' && span->text[line] != '\n')
        line++;
    begin_named(w, KIND_PROPERTY, "", span->text, line, BYLINE_WORDS, range, range);
    write_children(w, block, range);
    dl_lsp_buf_puts(w->out, "}");
}

/* A block other than a subhead; a timestamp is no outline item. */
static void write_block(symbol_writer *w, size_t index)
{
    const dl_block *block = &w->article->blocks[index];
    const dl_range *range = &block->span.range;
    char prefix[32];
    switch (block->kind) {
    case DL_BLOCK_BYLINE:
        write_byline(w, &block->span, index, range);
        return;
    case DL_BLOCK_TIMESTAMP:
    case DL_BLOCK_SUBHEAD:
        skip_quotations(w, index);
        return;
    case DL_BLOCK_PARAGRAPH:
        snprintf(prefix, sizeof(prefix), "¶ %u ", block->paragraph);
        begin_symbol(w, KIND_STRING, prefix, block->first_words, range, range);
        dl_lsp_buf_printf(w->out, ",\"detail\":\"%u words\"", block->words);
        break;
    case DL_BLOCK_LIST:
        begin_symbol(w, KIND_ARRAY, "List: ", block->first_words, range, range);
        break;
    case DL_BLOCK_EDITOR_NOTE:
        begin_symbol(w, KIND_EVENT, "", block->first_words, range, range);
        break;
    }
    write_children(w, index, range);
    dl_lsp_buf_puts(w->out, "}");
}

int dl_lsp_document_symbols(dl_lsp_buf *out, dl_lsp_document *doc, dl_lsp_encoding enc)
{
    const dl_article *a = dl_lsp_document_article(doc);
    if (a == NULL)
        return -1;
    symbol_writer w = {.out = out, .doc = doc, .article = a, .enc = enc, .first = 1};
    dl_lsp_buf_puts(out, "[");
    if (a->headline) {
        begin_named(&w, KIND_CLASS, "", a->headline->text, a->headline->size,
                    HEADLINE_WORDS, &a->headline->range, &a->headline->range);
        write_children(&w, DL_NO_BLOCK, &a->headline->range);
        dl_lsp_buf_puts(out, "}");
    }
    /* A byline under the headline is front matter, not a block. */
    if (a->byline && (a->block_count == 0 ||
                      a->byline->range.start_byte < a->blocks[0].span.range.start_byte))
        write_byline(&w, a->byline, DL_NO_BLOCK, &a->byline->range);
    for (size_t i = 0; i < a->block_count;) {
        const dl_block *block = &a->blocks[i];
        if (block->kind != DL_BLOCK_SUBHEAD) {
            write_block(&w, i++);
            continue;
        }
        /* A subhead opens a section holding the blocks up to the next one. */
        size_t end = i + 1;
        while (end < a->block_count && a->blocks[end].kind != DL_BLOCK_SUBHEAD)
            end++;
        dl_range section = block->span.range;
        section.end_byte = a->blocks[end - 1].span.range.end_byte;
        section.end_line = a->blocks[end - 1].span.range.end_line;
        begin_named(&w, KIND_NAMESPACE, "", block->span.text, block->span.size,
                    SECTION_WORDS, &section, &block->span.range);
        skip_quotations(&w, i); /* a subhead has no quote marks */
        dl_lsp_buf_puts(out, ",\"children\":[");
        w.first = 1;
        for (i++; i < end; i++)
            write_block(&w, i);
        dl_lsp_buf_puts(out, "]}");
        w.first = 0;
    }
    dl_lsp_buf_puts(out, "]");
    return 0;
}

/* ------------------------------------------------------------- folding -- */

static uint32_t last_line(TSNode node)
{
    TSPoint start = ts_node_start_point(node), end = ts_node_end_point(node);
    return end.column == 0 && end.row > start.row ? end.row - 1 : end.row;
}

static void fold_level(dl_lsp_buf *out, const dl_lsp_symbols *g, TSNode parent, int *first)
{
    TSTreeCursor cursor = ts_tree_cursor_new(parent);
    for (bool more = ts_tree_cursor_goto_first_child(&cursor); more;
         more = ts_tree_cursor_goto_next_sibling(&cursor)) {
        TSNode child = ts_tree_cursor_current_node(&cursor);
        TSSymbol s = ts_node_symbol(child);
        if (!ts_node_is_named(child))
            continue;
        if (s == g->section || s == g->paragraph || s == g->list || s == g->editor_note) {
            uint32_t from = ts_node_start_point(child).row, to = last_line(child);
            if (to > from) {
                dl_lsp_buf_printf(out, "%s{\"startLine\":%u,\"endLine\":%u,\"kind\":\"region\"}",
                                  *first ? "" : ",", from, to);
                *first = 0;
            }
        }
        if (s == g->section || s == g->paragraph) /* sections hold blocks, paragraphs lists */
            fold_level(out, g, child, first);
    }
    ts_tree_cursor_delete(&cursor);
}

void dl_lsp_folding_ranges(dl_lsp_buf *out, const dl_lsp_document *doc)
{
    int first = 1;
    dl_lsp_buf_puts(out, "[");
    fold_level(out, &doc->grammar, ts_tree_root_node(doc->tree), &first);
    dl_lsp_buf_puts(out, "]");
}

/* ------------------------------------------------------ semantic tokens -- */

/* Editors colour the standard LSP token types and modifiers with no
 * configuration, so every article kind maps to the nearest standard type;
 * the exact kind travels as a custom modifier (the kind's own name), for
 * clients that want to tell a dek from a headline. */
const char *const dl_lsp_token_types[] = {
    "class", "type", "property", "macro", "namespace", "string",
    "parameter", "keyword", "comment", "decorator", "number", NULL,
};

/* Standard modifiers first, then one per article kind, in `kinds` order. */
const char *const dl_lsp_token_modifiers[] = {
    "declaration", "documentation", "deprecated",
    "headline", "dek", "byline", "dateline", "subhead", "quotation", "speaker", "verb",
    "addition", "deletion", "substitution", "highlight", "comment", "editorNote", "url",
    "number", NULL,
};

enum { MOD_DECLARATION = 1 << 0, MOD_DOCUMENTATION = 1 << 1, MOD_DEPRECATED = 1 << 2 };
#define KIND_MODIFIER(kind) (1 << (3 + (kind)))

/* Per article kind (the order of `order` in token_kind): the legend index
 * of its standard type, and its standard modifiers. A deletion is
 * `deprecated` so editors strike it through. */
static const struct {
    int type, modifiers;
} kinds[] = {
    {0, MOD_DECLARATION},   /* headline: class */
    {1, MOD_DOCUMENTATION}, /* dek: type */
    {2, 0},                 /* byline: property */
    {3, 0},                 /* dateline: macro */
    {4, MOD_DECLARATION},   /* subhead: namespace */
    {5, 0},                 /* quotation: string */
    {6, 0},                 /* speaker: parameter */
    {7, 0},                 /* verb: keyword */
    {8, 0},                 /* addition: comment */
    {8, MOD_DEPRECATED},    /* deletion: comment */
    {8, 0},                 /* substitution: comment */
    {8, 0},                 /* highlight: comment */
    {8, 0},                 /* comment: comment */
    {8, MOD_DOCUMENTATION}, /* editorNote: comment */
    {9, 0},                 /* url: decorator */
    {10, 0},                /* number: number */
};

/* The article kind of `node`, an index into `kinds`, or -1. */
static int token_kind(const dl_lsp_symbols *g, TSNode node)
{
    TSSymbol s = ts_node_symbol(node);
    const TSSymbol order[] = {g->headline,  g->dek,          g->byline,    g->dateline,
                              g->subhead,   g->quotation,    g->speaker,   g->verb,
                              g->addition,  g->deletion,     g->substitution, g->highlight,
                              g->comment,   g->editor_note,  g->url,       g->number};
    _Static_assert(sizeof(order) / sizeof(order[0]) == sizeof(kinds) / sizeof(kinds[0]),
                   "one legend entry per article kind");
    for (int i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
        if (s == order[i])
            return i;
    return -1;
}

typedef struct {
    dl_lsp_buf *out;
    const dl_lsp_document *doc;
    dl_lsp_encoding enc;
    uint32_t line, character; /* of the previous token */
    int first;
} token_writer;

/* One token per line of text[from, to). */
static void emit_tokens(token_writer *t, uint32_t from, uint32_t to, int kind)
{
    const char *text = t->doc->text;
    while (from < to) {
        uint32_t end = from;
        while (end < to && text[end] != '\n')
            end++;
        uint32_t stop = end;
        while (stop > from && (text[stop - 1] == '\r'))
            stop--;
        if (stop > from) {
            uint32_t line, character;
            dl_lsp_document_position(t->doc, from, t->enc, &line, &character);
            uint32_t length = t->enc == DL_LSP_UTF8 ? stop - from : utf16_units(text, from, stop);
            uint32_t delta_line = line - t->line;
            uint32_t delta_char = delta_line == 0 ? character - t->character : character;
            dl_lsp_buf_printf(t->out, "%s%u,%u,%u,%d,%d", t->first ? "" : ",", delta_line,
                              delta_char, length, kinds[kind].type,
                              kinds[kind].modifiers | KIND_MODIFIER(kind));
            t->first = 0;
            t->line = line, t->character = character;
        }
        from = end + 1;
    }
}

/* Tokens for `node`'s descendants; `type` >= 0 when `node` is itself a
 * token: its text between token children gets that article kind. */
static void tokens_in(token_writer *t, const dl_lsp_symbols *g, TSNode node, int type,
                      uint32_t *cursor)
{
    TSTreeCursor walk = ts_tree_cursor_new(node);
    for (bool more = ts_tree_cursor_goto_first_child(&walk); more;
         more = ts_tree_cursor_goto_next_sibling(&walk)) {
        TSNode child = ts_tree_cursor_current_node(&walk);
        if (!ts_node_is_named(child))
            continue;
        int child_type = token_kind(g, child);
        if (child_type >= 0) {
            if (type >= 0)
                emit_tokens(t, *cursor, ts_node_start_byte(child), type);
            *cursor = ts_node_start_byte(child);
            uint32_t inner = *cursor;
            tokens_in(t, g, child, child_type, &inner);
            emit_tokens(t, inner, ts_node_end_byte(child), child_type);
            *cursor = ts_node_end_byte(child);
        } else if (ts_node_named_child_count(child) > 0) {
            tokens_in(t, g, child, type, cursor);
        }
    }
    ts_tree_cursor_delete(&walk);
}

void dl_lsp_semantic_tokens(dl_lsp_buf *out, const dl_lsp_document *doc, dl_lsp_encoding enc)
{
    token_writer t = {.out = out, .doc = doc, .enc = enc, .first = 1};
    uint32_t cursor = 0;
    dl_lsp_buf_puts(out, "{\"data\":[");
    tokens_in(&t, &doc->grammar, ts_tree_root_node(doc->tree), -1, &cursor);
    dl_lsp_buf_puts(out, "]}");
}

/* --------------------------------------------------------- diagnostics -- */

typedef struct {
    uint32_t start, end;
} span;

typedef struct {
    span *items;
    size_t count, capacity;
} span_list;

static int span_push(span_list *list, const dl_range *range)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 32;
        span *items = realloc(list->items, capacity * sizeof(*items));
        if (items == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = (span){range->start_byte, range->end_byte};
    return 0;
}

/* Whether `offset` lies inside one of `list`'s spans (sorted, disjoint or
 * nested: a quotation inside a substitution comes after it). */
static bool covered(const span_list *list, uint32_t offset)
{
    size_t lo = 0, hi = list->count;
    while (lo < hi) { /* first span starting after offset */
        size_t mid = lo + (hi - lo) / 2;
        if (list->items[mid].start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0;) {
        if (offset < list->items[i].end)
            return true;
        if (lo - i > 4) /* spans nest at most a little: no need to look far back */
            break;
    }
    return false;
}

/* The block holding `offset`: blocks are sorted and disjoint. */
static const span *block_at(const span_list *blocks, uint32_t offset)
{
    size_t lo = 0, hi = blocks->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (blocks->items[mid].start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && offset < blocks->items[lo - 1].end)
        return &blocks->items[lo - 1];
    return NULL;
}

/* What the checks read, from the article model: where its blocks,
 * quotations and annotations are. */
typedef struct {
    const dl_lsp_document *doc;
    const dl_article *article;
    span_list quotes, annotations, blocks;
} survey;

/* The headline, dek and front-matter byline are blocks too: a quote mark
 * left open there is as wrong as in a paragraph. */
static int survey_model(survey *s)
{
    const dl_article *a = s->article;
    const dl_span *front[] = {a->headline, a->dek, a->byline};
    for (size_t i = 0; i < sizeof(front) / sizeof(front[0]); i++)
        if (front[i] &&
            (a->block_count == 0 || front[i]->range.start_byte < a->blocks[0].span.range.start_byte) &&
            span_push(&s->blocks, &front[i]->range) < 0)
            return DL_ERROR;
    for (size_t i = 0; i < a->block_count; i++)
        if (span_push(&s->blocks, &a->blocks[i].span.range) < 0)
            return DL_ERROR;
    /* A quotation that opens its paragraph and lost its close still counts
     * in the model; its mark is flagged like any other left open. */
    for (size_t i = 0; i < a->quotation_count; i++) {
        const dl_quotation *q = &a->quotations[i];
        bool lost_close = !q->closed && !q->runs_on && !q->continued;
        if (!lost_close && span_push(&s->quotes, &q->span.range) < 0)
            return DL_ERROR;
    }
    for (size_t i = 0; i < a->annotation_count; i++)
        if (span_push(&s->annotations, &a->annotations[i].span.range) < 0)
            return DL_ERROR;
    return 0;
}

static int add(dl_lsp_diagnostics *out, uint32_t start, uint32_t end, int severity,
               const char *code, char *message)
{
    if (message == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 16;
        dl_lsp_diagnostic *items = realloc(out->items, capacity * sizeof(*items));
        if (items == NULL) {
            free(message);
            return dl_error_set(DL_ERROR, "out of memory");
        }
        out->items = items;
        out->capacity = capacity;
    }
    out->items[out->count++] = (dl_lsp_diagnostic){start, end, severity, code, message,
                                                   NULL, 0, 0, NULL};
    return 0;
}

static void set_fix(dl_lsp_diagnostics *out, const char *title, uint32_t start, uint32_t end,
                    const char *text)
{
    dl_lsp_diagnostic *d = &out->items[out->count - 1];
    d->fix_title = title;
    d->fix_start = start;
    d->fix_end = end;
    d->fix_text = text;
}

static bool space_at(const char *text, size_t size, uint32_t i)
{
    return i < size && dl_text_space_length(text + i, size - i) > 0;
}

/* Whether a space ends just before `i` (one of up to three bytes). */
static bool space_before(const char *text, uint32_t i)
{
    for (uint32_t n = 1; n <= 3 && n <= i; n++)
        if (dl_text_space_length(text + i - n, n) == n)
            return true;
    return i == 0;
}

/* Where text can be appended to a block: before its trailing spaces. */
static uint32_t block_text_end(const char *text, const span *block)
{
    uint32_t end = block->start, i = block->start;
    while (i < block->end) {
        size_t space = dl_text_space_length(text + i, block->end - i);
        i += space ? (uint32_t)space : 1;
        if (!space)
            end = i;
    }
    return end;
}

/* A straight quote that opens (after a space or bracket, before text),
 * rather than closing or marking inches (5'10"). */
static bool opens_quote(const char *text, size_t size, uint32_t i)
{
    unsigned char before = i > 0 ? (unsigned char)text[i - 1] : ' ';
    unsigned char after = i + 1 < size ? (unsigned char)text[i + 1] : ' ';
    bool before_ok = space_before(text, i) || before == '(' || before == '[' || before == '{' ||
                     before == '>' || (i >= 3 && (unsigned char)text[i - 3] == 0xE2 &&
                                       (unsigned char)text[i - 2] == 0x80 &&
                                       ((unsigned char)text[i - 1] == 0x94 ||
                                        (unsigned char)text[i - 1] == 0x93));
    return before_ok && i + 1 < size && !space_at(text, size, i + 1) && after != '"';
}

static int check_quote_marks(dl_lsp_diagnostics *out, const survey *s)
{
    const char *text = s->doc->text;
    size_t size = s->doc->size;
    for (uint32_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)text[i];
        bool curly = c == 0xE2 && i + 2 < size && (unsigned char)text[i + 1] == 0x80 &&
                     (unsigned char)text[i + 2] == 0x9C;
        bool straight = c == '"' && opens_quote(text, size, i);
        if (!curly && !straight)
            continue;
        if (covered(&s->quotes, i) || covered(&s->annotations, i))
            continue;
        const span *block = block_at(&s->blocks, i);
        if (block == NULL)
            continue;
        uint32_t end = i + (curly ? 3 : 1);
        if (add(out, i, end, 2, "unclosed-quotation",
                strdup("quotation mark opened and never closed in its paragraph")) < 0)
            return DL_ERROR;
        uint32_t at = block_text_end(text, block);
        set_fix(out, curly ? "Close the quotation with ” at the end of the paragraph"
                           : "Close the quotation with \" at the end of the paragraph",
                at, at, curly ? "”" : "\"");
    }
    return 0;
}

static const struct {
    const char *open, *close;
} annotation_marks[] = {
    {"{++", "++}"}, {"{--", "--}"}, {"{~~", "~~}"}, {"{==", "==}"}, {"{>>", "<<}"},
};

static int check_annotations(dl_lsp_diagnostics *out, const survey *s)
{
    const char *text = s->doc->text;
    size_t size = s->doc->size;
    for (const char *p = text; (p = memchr(p, '{', size - (size_t)(p - text))); p++) {
        uint32_t i = (uint32_t)(p - text);
        if (i + 3 > size)
            break;
        for (size_t k = 0; k < sizeof(annotation_marks) / sizeof(annotation_marks[0]); k++) {
            if (memcmp(p, annotation_marks[k].open, 3) != 0 || covered(&s->annotations, i))
                continue;
            const span *block = block_at(&s->blocks, i);
            if (block == NULL)
                continue;
            char message[128];
            snprintf(message, sizeof(message), "annotation %s is never closed with %s in its paragraph",
                     annotation_marks[k].open, annotation_marks[k].close);
            if (add(out, i, i + 3, 2, "unclosed-annotation", strdup(message)) < 0)
                return DL_ERROR;
            uint32_t at = block_text_end(text, block);
            set_fix(out, "Close the annotation at the end of the paragraph", at, at,
                    annotation_marks[k].close);
        }
    }
    return 0;
}

/* The first body paragraph opens like a dateline — an all-caps word, then
 * within 60 bytes a dash — but the grammar did not take it as one. */
static int check_dateline(dl_lsp_diagnostics *out, const survey *s)
{
    const dl_article *a = s->article;
    const dl_block *first_body = NULL;
    for (size_t i = 0; first_body == NULL && i < a->block_count; i++)
        if (a->blocks[i].kind != DL_BLOCK_BYLINE && a->blocks[i].kind != DL_BLOCK_TIMESTAMP)
            first_body = &a->blocks[i];
    if (first_body == NULL || first_body->kind != DL_BLOCK_PARAGRAPH ||
        (a->dateline && a->dateline->range.start_byte == first_body->span.range.start_byte))
        return 0;
    const char *text = s->doc->text;
    uint32_t start = first_body->span.range.start_byte, end = first_body->span.range.end_byte;
    uint32_t i = start, caps = 0;
    while (i < end && ((text[i] >= 'A' && text[i] <= 'Z') || text[i] == '.')) /* U.S. */
        caps += text[i++] != '.';
    if (caps < 2 || i >= end || (isalnum((unsigned char)text[i]) || text[i] == '\''))
        return 0;
    uint32_t limit = start + 60 < end ? start + 60 : end;
    for (uint32_t j = i; j < limit; j++) {
        unsigned char c = (unsigned char)text[j];
        if (c == '\n' || c == '"' || c == '!' || c == '?' || c == ':' || c == ';')
            return 0;
        if (c == '.' && j + 1 < end && text[j + 1] == ' ' && !(j >= 2 && text[j - 2] == '.'))
            return 0; /* a sentence ended: not a dateline (but "D.C. -" is) */
        /* Place words are capitalised ("NEW YORK, N.Y."), dates have digits
         * ("Jan 10"), agencies are in brackets: a lower-case word is prose. */
        if ((text[j - 1] == ' ' || text[j - 1] == ',') && islower(c))
            return 0;
        bool dash = c == '-' || (c == 0xE2 && j + 2 < end && (unsigned char)text[j + 1] == 0x80 &&
                                 ((unsigned char)text[j + 2] == 0x93 ||
                                  (unsigned char)text[j + 2] == 0x94));
        if (!dash)
            continue;
        /* A hyphen inside a word (WINSTON-SALEM) is part of the place. */
        if (c == '-' && j > start && isalpha((unsigned char)text[j - 1]) && j + 1 < end &&
            isalpha((unsigned char)text[j + 1]))
            continue;
        uint32_t dash_end = j + (c == '-' ? (j + 1 < end && text[j + 1] == '-' ? 2 : 1) : 3);
        return add(out, start, dash_end, 3, "dateline-form",
                   strdup("this opens like a dateline but does not follow the form "
                          "PLACE[, REGION] [(AGENCY)] — with spaces around the dash"));
    }
    return 0;
}

static bool word_byte(unsigned char c)
{
    return isalpha(c) || c >= 0x80 || c == '\'';
}

static bool same_word(const char *a, const char *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

/* Doubled words that are good English ("had had", "that that"). */
static bool legitimate_double(const char *word, uint32_t n)
{
    static const char *const allowed[] = {"had", "that", "is", "do", "bye", "no", "so", NULL};
    for (size_t i = 0; allowed[i]; i++)
        if (strlen(allowed[i]) == n && same_word(word, allowed[i], n))
            return true;
    return false;
}

static int check_repeated_words(dl_lsp_diagnostics *out, const survey *s)
{
    const char *text = s->doc->text;
    for (size_t b = 0; b < s->blocks.count; b++) {
        uint32_t i = s->blocks.items[b].start, end = s->blocks.items[b].end;
        uint32_t prev_start = 0, prev_len = 0;
        bool prev_valid = false;
        while (i < end) {
            unsigned char c = (unsigned char)text[i];
            if (!word_byte(c) && !isdigit(c)) {
                /* Only spaces may separate a doubled word. */
                if (!space_at(text, end, i))
                    prev_valid = false;
                i++;
                continue;
            }
            uint32_t w = i;
            bool letters = true;
            while (i < end && (word_byte((unsigned char)text[i]) || isdigit((unsigned char)text[i]))) {
                letters = letters && !isdigit((unsigned char)text[i]);
                /* General punctuation (— “ ” …) ends a word. */
                if ((unsigned char)text[i] == 0xE2 && i + 1 < end &&
                    ((unsigned char)text[i + 1] == 0x80 || (unsigned char)text[i + 1] == 0x81))
                    break;
                i++;
            }
            if (i == w) { /* punctuation character */
                prev_valid = false;
                i += 3;
                continue;
            }
            uint32_t n = i - w;
            bool capitalised = isupper((unsigned char)text[w]) &&
                               prev_valid && isupper((unsigned char)text[prev_start]);
            if (letters && prev_valid && prev_len == n && same_word(text + prev_start, text + w, n) &&
                !capitalised && !legitimate_double(text + w, n)) {
                char message[160];
                snprintf(message, sizeof(message), "repeated word “%.*s”", (int)(n > 60 ? 60 : n),
                         text + w);
                if (add(out, w, i, 2, "repeated-word", strdup(message)) < 0)
                    return DL_ERROR;
                set_fix(out, "Remove the repeated word", prev_start + prev_len, i, "");
            }
            prev_start = w, prev_len = n, prev_valid = letters;
        }
    }
    return 0;
}

static int check_quote_changes(dl_lsp_diagnostics *out, const survey *s)
{
    const dl_lsp_document *doc = s->doc;
    const dl_article *a = s->article;
    for (size_t w = 0; w < doc->warning_count; w++) {
        for (size_t q = 0; q < a->quotation_count; q++) {
            const dl_quotation *quote = &a->quotations[q];
            if (strcmp(quote->text, doc->warnings[w].text) == 0 &&
                add(out, quote->span.range.start_byte, quote->span.range.end_byte, 2,
                    "quotation-changed", strdup(doc->warnings[w].message)) < 0)
                return DL_ERROR;
        }
    }
    return 0;
}

int dl_lsp_diagnose(dl_lsp_diagnostics *out, dl_lsp_document *doc)
{
    memset(out, 0, sizeof(*out));
    survey s = {.doc = doc, .article = dl_lsp_document_article(doc)};
    if (s.article == NULL)
        return DL_ERROR;
    int error = 0;
    if ((error = survey_model(&s)) < 0 || (error = check_quote_marks(out, &s)) < 0 ||
        (error = check_annotations(out, &s)) < 0 || (error = check_dateline(out, &s)) < 0 ||
        (error = check_repeated_words(out, &s)) < 0 || (error = check_quote_changes(out, &s)) < 0)
        dl_lsp_diagnostics_dispose(out);
    free(s.quotes.items);
    free(s.annotations.items);
    free(s.blocks.items);
    return error;
}

void dl_lsp_diagnostics_dispose(dl_lsp_diagnostics *diags)
{
    for (size_t i = 0; i < diags->count; i++)
        free(diags->items[i].message);
    free(diags->items);
    memset(diags, 0, sizeof(*diags));
}

json_t *dl_lsp_diagnostic_json(const dl_lsp_document *doc, const dl_lsp_diagnostic *d,
                               dl_lsp_encoding enc)
{
    /* The editor shows the message to a person, often as virtual text on
     * one line; it quotes notes and quotations: escaped like the CLI's. */
    char *shown = dl_text_escape(d->message, strlen(d->message), DL_TEXT_ONE_LINE);
    json_t *json = json_pack("{s:o, s:i, s:s, s:s, s:s}", "range",
                             dl_lsp_range_json(doc, d->start, d->end, enc), "severity",
                             d->severity, "code", d->code, "source", "dateline", "message",
                             shown ? shown : d->message);
    free(shown);
    return json;
}

json_t *dl_lsp_diagnostics_json(const dl_lsp_document *doc, const dl_lsp_diagnostics *diags,
                                dl_lsp_encoding enc)
{
    json_t *list = json_array();
    for (size_t i = 0; i < diags->count; i++)
        json_array_append_new(list, dl_lsp_diagnostic_json(doc, &diags->items[i], enc));
    return json_pack("{s:s, s:I, s:o}", "uri", doc->uri, "version", (json_int_t)doc->version,
                     "diagnostics", list);
}

/* --------------------------------------------------------- code actions -- */

json_t *dl_lsp_code_actions(dl_lsp_document *doc, uint32_t start, uint32_t end,
                            dl_lsp_encoding enc)
{
    dl_lsp_diagnostics diags;
    json_t *actions = json_array();
    if (dl_lsp_diagnose(&diags, doc) < 0)
        return actions;
    for (size_t i = 0; i < diags.count; i++) {
        const dl_lsp_diagnostic *d = &diags.items[i];
        if (d->fix_title == NULL || d->end < start || d->start > end)
            continue;
        json_t *edit = json_pack("{s:o, s:s}", "range",
                                 dl_lsp_range_json(doc, d->fix_start, d->fix_end, enc), "newText",
                                 d->fix_text);
        json_t *changes = json_object();
        json_object_set_new(changes, doc->uri, json_pack("[o]", edit));
        json_array_append_new(
            actions, json_pack("{s:s, s:s, s:[o], s:b, s:{s:o}}", "title", d->fix_title, "kind",
                               "quickfix", "diagnostics", dl_lsp_diagnostic_json(doc, d, enc),
                               "isPreferred", 1, "edit", "changes", changes));
    }
    dl_lsp_diagnostics_dispose(&diags);
    return actions;
}

/* ------------------------------------------------------ selection ranges -- */

static void push_range(span *chain, size_t *n, uint32_t start, uint32_t end)
{
    if (end < start)
        return;
    if (*n > 0) {
        const span *inner = &chain[*n - 1];
        if (start > inner->start || end < inner->end) /* must contain the inner one */
            return;
        if (start == inner->start && end == inner->end)
            return;
    }
    chain[(*n)++] = (span){start, end};
}

json_t *dl_lsp_selection_ranges(const dl_lsp_document *doc, const json_t *positions,
                                dl_lsp_encoding enc)
{
    const dl_lsp_symbols *g = &doc->grammar;
    const char *text = doc->text;
    json_t *result = json_array();
    size_t index;
    const json_t *position;
    json_array_foreach(positions, index, position) {
        json_int_t line = json_integer_value(json_object_get(position, "line"));
        json_int_t character = json_integer_value(json_object_get(position, "character"));
        uint32_t at = dl_lsp_document_offset(doc, line < 0 ? 0 : (uint32_t)line,
                                             character < 0 ? 0 : (uint32_t)character, enc);
        span chain[8];
        size_t n = 0;

        uint32_t ws = at, we = at;
        while (ws > 0 && (isalnum((unsigned char)text[ws - 1]) || (unsigned char)text[ws - 1] >= 0xC0 ||
                          ((unsigned char)text[ws - 1] >= 0x80 && (unsigned char)text[ws - 1] != 0x80)))
            ws--;
        while (we < doc->size && (isalnum((unsigned char)text[we]) || (unsigned char)text[we] >= 0x80))
            we++;
        /* Do not take curly quotes and dashes (E2 80 xx) as word bytes. */
        while (ws < at && (unsigned char)text[ws] == 0xE2)
            ws += 3;
        if (ws > at)
            ws = at;
        for (uint32_t k = ws; k < we; k++)
            if ((unsigned char)text[k] == 0xE2 && k + 1 < we && (unsigned char)text[k + 1] == 0x80) {
                if (k >= at) {
                    we = k;
                    break;
                }
            }
        push_range(chain, &n, ws, we);

        TSNode node = ts_node_descendant_for_byte_range(ts_tree_root_node(doc->tree), at, at);
        TSNode block = {{0}, NULL, NULL};
        for (TSNode up = node; !ts_node_is_null(up); up = ts_node_parent(up)) {
            if (is(up, g->quotation)) {
                for (uint32_t c = 0, k = ts_node_named_child_count(up); c < k; c++) {
                    TSNode child = ts_node_named_child(up, c);
                    if (is(child, g->content))
                        push_range(chain, &n, ts_node_start_byte(child), ts_node_end_byte(child));
                }
                push_range(chain, &n, ts_node_start_byte(up), ts_node_end_byte(up));
            }
            if (ts_node_is_null(block) && is_block(g, up))
                block = up;
        }
        if (!ts_node_is_null(block)) {
            uint32_t bs = ts_node_start_byte(block), be = ts_node_end_byte(block);
            /* The model's sentences (docs/format.md): the one `at` is in. */
            uint32_t ss = bs, se = be;
            int has_word;
            while ((se = bs + (uint32_t)dl_article_sentence_end(text + bs, be - bs, ss - bs,
                                                                &has_word)) <= at &&
                   se < be)
                ss = se;
            size_t space;
            while (ss < at && (space = dl_text_space_length(text + ss, at - ss)) > 0)
                ss += (uint32_t)space;
            push_range(chain, &n, ss, se);
            push_range(chain, &n, bs, be);
        }
        push_range(chain, &n, 0, (uint32_t)doc->size);

        json_t *range = NULL;
        for (size_t k = 0; k < n; k++) {
            json_t *item = json_pack("{s:o}", "range",
                                     dl_lsp_range_json(doc, chain[n - 1 - k].start, chain[n - 1 - k].end, enc));
            if (range != NULL)
                json_object_set_new(item, "parent", range);
            range = item;
        }
        json_array_append_new(result, range ? range : json_pack("{s:o}", "range",
                                                             dl_lsp_range_json(doc, at, at, enc)));
    }
    return result;
}

/* ------------------------------------------------------------- hovering -- */

/* Whether `offset` is in `range` or just after its last byte (the end of
 * its line, where a cursor often is). */
static bool at_range(const dl_range *range, uint32_t offset)
{
    return range->start_byte <= offset && offset <= range->end_byte;
}

/* The context from the model: its blocks are sorted, its quotations in
 * order with a nested one after the one holding it. */
int dl_lsp_hover_context_at(dl_lsp_hover_context *out, dl_lsp_document *doc, uint32_t offset)
{
    memset(out, 0, sizeof(*out));
    const dl_article *a = dl_lsp_document_article(doc);
    if (a == NULL)
        return DL_ERROR;
    const dl_span *front = NULL;
    const char *label = NULL;
    char number[32];
    if (a->headline && at_range(&a->headline->range, offset))
        front = a->headline, label = "headline";
    else if (a->dek && at_range(&a->dek->range, offset))
        front = a->dek, label = "dek";
    else if (a->byline && at_range(&a->byline->range, offset))
        front = a->byline, label = "byline";
    size_t lo = 0, hi = a->block_count; /* the first block starting after offset */
    while (front == NULL && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->blocks[mid].span.range.start_byte <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (front == NULL && lo > 0 && at_range(&a->blocks[lo - 1].span.range, offset)) {
        const dl_block *block = &a->blocks[lo - 1];
        front = &block->span;
        if (block->kind == DL_BLOCK_PARAGRAPH)
            snprintf(number, sizeof(number), "¶ %u", block->paragraph);
        label = block->kind == DL_BLOCK_PARAGRAPH ? number : dl_article_block_kind_name(block->kind);
    }
    if (front != NULL) {
        out->block_start = front->range.start_byte;
        out->block_end = front->range.end_byte;
        if ((out->block_text = strndup(front->text, front->size)) == NULL ||
            (out->block_label = strdup(label)) == NULL)
            goto oom;
    }
    const dl_quotation *quote = NULL;
    for (size_t i = 0; i < a->quotation_count && a->quotations[i].span.range.start_byte <= offset;
         i++)
        if (at_range(&a->quotations[i].span.range, offset))
            quote = &a->quotations[i];
    if (quote != NULL) {
        out->quote_start = quote->span.range.start_byte;
        out->quote_end = quote->span.range.end_byte;
        if ((out->quote_text = strdup(quote->text)) == NULL ||
            (quote->speaker && (out->speaker = strdup(quote->speaker)) == NULL))
            goto oom;
    }
    return 0;
oom:
    dl_lsp_hover_context_dispose(out);
    return dl_error_set(DL_ERROR, "out of memory");
}

void dl_lsp_hover_context_dispose(dl_lsp_hover_context *ctx)
{
    free(ctx->block_label);
    free(ctx->block_text);
    free(ctx->quote_text);
    free(ctx->speaker);
    memset(ctx, 0, sizeof(*ctx));
}
