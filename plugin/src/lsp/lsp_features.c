/*
 * dateline — what the language server derives from a document's tree:
 * symbols, diagnostics, folding ranges, selection ranges, semantic tokens,
 * code actions and the context of a hover.
 *
 * Everything reads the tree-sitter tree directly instead of building the
 * article model: a keystroke re-parses one paragraph, and walking the tree
 * of a 1 MB article costs far less than copying it into a model. Large
 * results (symbols, tokens) are written as JSON text straight away.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
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

/* How a paragraph's cached symbol starts (with the comma before it, see
 * emit): its number follows (see renumber). */
#define PARAGRAPH_START ",{\"name\":\"¶ "

#define NAME_WORDS 8
#define QUOTE_WORDS 10
#define NAME_MAX_BYTES 160

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

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
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

/* ---------------------------------------------------------------- names -- */

/* The first `max` words of text[from, to), spaces collapsed, "…" if cut,
 * appended to `out` (at most NAME_MAX_BYTES, at a character boundary). */
static void first_words(dl_lsp_buf *out, const char *text, uint32_t from, uint32_t to, int max)
{
    int words = 0;
    size_t start = out->size;
    uint32_t i = from;
    while (i < to) {
        while (i < to && is_space((unsigned char)text[i]))
            i++;
        if (i == to)
            break;
        if (words == max || out->size - start >= NAME_MAX_BYTES) {
            dl_lsp_buf_puts(out, "…");
            return;
        }
        if (words++ > 0)
            dl_lsp_buf_put(out, " ", 1);
        uint32_t word = i;
        while (i < to && !is_space((unsigned char)text[i]))
            i++;
        uint32_t n = i - word;
        if (out->size - start + n > NAME_MAX_BYTES) { /* one huge "word" */
            n = NAME_MAX_BYTES;
            while (n > 0 && ((unsigned char)text[word + n] & 0xC0) == 0x80)
                n--;
            dl_lsp_buf_put(out, text + word, n);
            dl_lsp_buf_puts(out, "…");
            return;
        }
        dl_lsp_buf_put(out, text + word, n);
    }
}

/* ------------------------------------------------------------- symbols -- */

typedef struct {
    dl_lsp_pieces *pieces; /* the outline */
    dl_lsp_buf *out;       /* where text goes: the outline's own, or `block` */
    dl_lsp_document *doc;
    dl_lsp_encoding enc;
    const dl_lsp_symbols *g;
    unsigned paragraphs;
    dl_lsp_buf scratch;
    int first; /* no symbol written yet at the current level */
    /* The symbol cache: blocks rendered or reused this time, in order, and
     * how far the walk has come through the previous cache. */
    dl_lsp_buf block;
    uint32_t *row_at; /* where in `block` each row number starts */
    size_t row_count, row_capacity;
    dl_lsp_symbol_entry *fresh;
    size_t fresh_count, fresh_capacity;
    size_t cursor;
    unsigned char nested; /* writing a section's children */
} symbol_writer;

/* A quotation of a block with the speaker credited to it. */
typedef struct {
    TSNode node;
    TSNode speaker; /* null node: nobody */
} quote_ref;

typedef struct {
    quote_ref *items;
    size_t count, capacity;
} quote_list;

static void quote_push(quote_list *list, TSNode node)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        quote_ref *items = realloc(list->items, capacity * sizeof(*items));
        if (items == NULL)
            return;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = (quote_ref){node, {{0}, NULL, NULL}};
}

static TSNode speaker_of(TSNode attribution)
{
    return ts_node_child_by_field_name(attribution, "speaker", 7);
}

/* The quotations inside `node` in order, with speakers: an attribution right
 * after a quotation credits it, one before credits the next quotation, and
 * a later quotation of the same block inherits an earlier one's speaker. */
static void collect_quotes(const dl_lsp_symbols *g, TSNode node, quote_list *list)
{
    TSTreeCursor cursor = ts_tree_cursor_new(node);
    TSNode lead = {{0}, NULL, NULL};
    bool after_quote = false;
    for (bool more = ts_tree_cursor_goto_first_child(&cursor); more;
         more = ts_tree_cursor_goto_next_sibling(&cursor)) {
        TSNode child = ts_tree_cursor_current_node(&cursor);
        if (!ts_node_is_named(child))
            continue;
        if (is(child, g->quotation)) {
            quote_push(list, child);
            if (list->count > 0 && !ts_node_is_null(lead))
                list->items[list->count - 1].speaker = speaker_of(lead);
            lead = (TSNode){{0}, NULL, NULL};
            after_quote = true;
        } else if (is(child, g->attribution)) {
            quote_ref *last = list->count ? &list->items[list->count - 1] : NULL;
            if (after_quote && last && ts_node_is_null(last->speaker))
                last->speaker = speaker_of(child);
            else
                lead = child;
            after_quote = false;
        } else {
            after_quote = false;
            if (ts_node_named_child_count(child) > 0)
                collect_quotes(g, child, list);
        }
    }
    ts_tree_cursor_delete(&cursor);
}

static void inherit_speakers(quote_list *list)
{
    for (size_t i = 1; i < list->count; i++)
        if (ts_node_is_null(list->items[i].speaker))
            list->items[i].speaker = list->items[i - 1].speaker;
}

/* Note where a row number of a block being cached starts: when the block
 * moves up or down, shift_rows rewrites just those. */
static void note_row(symbol_writer *w)
{
    if (w->out != &w->block)
        return;
    if (w->row_count == w->row_capacity) {
        size_t capacity = w->row_capacity ? w->row_capacity * 2 : 16;
        uint32_t *row_at = realloc(w->row_at, capacity * sizeof(*row_at));
        if (row_at == NULL) {
            w->block.failed = 1;
            return;
        }
        w->row_at = row_at;
        w->row_capacity = capacity;
    }
    w->row_at[w->row_count++] = (uint32_t)w->block.size;
}

static void put_point(symbol_writer *w, uint32_t offset, TSPoint point)
{
    uint32_t character = point.column;
    if (w->enc == DL_LSP_UTF16)
        character = utf16_units(w->doc->text, offset - point.column, offset);
    dl_lsp_buf_puts(w->out, "{\"line\":");
    note_row(w);
    dl_lsp_buf_put_uint(w->out, point.row);
    dl_lsp_buf_puts(w->out, ",\"character\":");
    dl_lsp_buf_put_uint(w->out, character);
    dl_lsp_buf_put(w->out, "}", 1);
}

static void put_range(symbol_writer *w, TSNode node)
{
    dl_lsp_buf_puts(w->out, "{\"start\":");
    put_point(w, ts_node_start_byte(node), ts_node_start_point(node));
    dl_lsp_buf_puts(w->out, ",\"end\":");
    put_point(w, ts_node_end_byte(node), ts_node_end_point(node));
    dl_lsp_buf_puts(w->out, "}");
}

static void begin_symbol(symbol_writer *w, int kind, TSNode range, TSNode selection)
{
    dl_lsp_buf *out = w->out;
    if (!w->first)
        dl_lsp_buf_put(out, ",", 1);
    w->first = 0;
    dl_lsp_buf_puts(out, "{\"name\":");
    if (w->scratch.size == 0 && !w->scratch.failed)
        dl_lsp_buf_puts(&w->scratch, "(empty)");
    dl_lsp_buf_json_string(out, w->scratch.data, w->scratch.size);
    w->scratch.size = 0;
    dl_lsp_buf_printf(out, ",\"kind\":%d,\"range\":", kind);
    put_range(w, range);
    dl_lsp_buf_puts(out, ",\"selectionRange\":");
    put_range(w, selection);
}

static void write_quotations(symbol_writer *w, TSNode block, TSNode dateline)
{
    quote_list quotes = {0};
    collect_quotes(w->g, block, &quotes);
    inherit_speakers(&quotes);
    if (quotes.count == 0 && ts_node_is_null(dateline)) {
        free(quotes.items);
        return;
    }
    dl_lsp_buf_puts(w->out, ",\"children\":[");
    w->first = 1;
    if (!ts_node_is_null(dateline)) {
        first_words(&w->scratch, w->doc->text, ts_node_start_byte(dateline),
                    ts_node_end_byte(dateline), NAME_WORDS);
        begin_symbol(w, KIND_KEY, dateline, dateline);
        dl_lsp_buf_puts(w->out, "}");
    }
    for (size_t i = 0; i < quotes.count; i++) {
        TSNode q = quotes.items[i].node;
        uint32_t start = ts_node_start_byte(q), end = ts_node_end_byte(q);
        for (uint32_t c = 0, n = ts_node_named_child_count(q); c < n; c++) {
            TSNode child = ts_node_named_child(q, c);
            if (is(child, w->g->content)) {
                start = ts_node_start_byte(child), end = ts_node_end_byte(child);
                break;
            }
        }
        dl_lsp_buf_puts(&w->scratch, "“");
        first_words(&w->scratch, w->doc->text, start, end, QUOTE_WORDS);
        dl_lsp_buf_puts(&w->scratch, "”");
        begin_symbol(w, KIND_CONSTANT, q, q);
        TSNode speaker = quotes.items[i].speaker;
        if (!ts_node_is_null(speaker)) {
            dl_lsp_buf_puts(w->out, ",\"detail\":");
            dl_lsp_buf_json_string(w->out, w->doc->text + ts_node_start_byte(speaker),
                                   ts_node_end_byte(speaker) - ts_node_start_byte(speaker));
        }
        dl_lsp_buf_puts(w->out, "}");
    }
    dl_lsp_buf_puts(w->out, "]");
    free(quotes.items);
}

static void write_level(symbol_writer *w, TSNode parent);

/* A block other than a section: its symbol, with its quotations. */
static void render_block(symbol_writer *w, TSNode node)
{
    const dl_lsp_symbols *g = w->g;
    const char *text = w->doc->text;
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    TSNode none = {{0}, NULL, NULL};
    int kind;
    TSNode dateline = none;
    if (is(node, g->headline)) {
        kind = KIND_CLASS;
        first_words(&w->scratch, text, start, end, 24);
    } else if (is(node, g->byline)) {
        kind = KIND_PROPERTY;
        uint32_t line_end = start;
        while (line_end < end && text[line_end] != '\n')
            line_end++;
        first_words(&w->scratch, text, start, line_end, 16);
    } else if (is(node, g->paragraph)) {
        kind = KIND_STRING;
        dl_lsp_buf_printf(&w->scratch, "¶ %u ", ++w->paragraphs);
        TSNode first = ts_node_named_child(node, 0);
        if (!ts_node_is_null(first) && is(first, g->dateline)) {
            dateline = first;
            start = ts_node_end_byte(first);
        }
        first_words(&w->scratch, text, start, end, NAME_WORDS);
    } else if (is(node, g->list)) {
        kind = KIND_ARRAY;
        dl_lsp_buf_puts(&w->scratch, "List: ");
        first_words(&w->scratch, text, start, end, NAME_WORDS);
    } else {
        kind = KIND_EVENT; /* editor's note */
        first_words(&w->scratch, text, start, end, NAME_WORDS);
    }
    begin_symbol(w, kind, node, node);
    write_quotations(w, node, dateline);
    dl_lsp_buf_puts(w->out, "}");
    w->first = 0;
}

/* The previous request's entry for `node`, if its subtree (so its bytes)
 * did not change. Its row and its paragraph number may have: shift_rows and
 * renumber rewrite those. Blocks come in document order, so does the cache. */
static dl_lsp_symbol_entry *cached_block(symbol_writer *w, TSNode node)
{
    const dl_lsp_document *doc = w->doc;
    uint32_t start = ts_node_start_byte(node);
    while (w->cursor < doc->symbol_count && doc->symbol_cache[w->cursor].start < start)
        w->cursor++;
    if (w->cursor == doc->symbol_count)
        return NULL;
    dl_lsp_symbol_entry *e = &doc->symbol_cache[w->cursor];
    if (e->json == NULL || e->node_id != node.id || e->start != start ||
        e->symbol != ts_node_symbol(node) || e->row != ts_node_start_point(node).row)
        return NULL;
    return e;
}

/* The number written at json[at]; *end is where its digits end. */
static long long number_at(const dl_lsp_symbol_entry *e, size_t at, size_t *end)
{
    long long value = 0;
    for (; at < e->size && e->json[at] >= '0' && e->json[at] <= '9'; at++)
        value = value * 10 + (e->json[at] - '0');
    *end = at;
    return value;
}

static size_t decimal_width(unsigned long long value)
{
    size_t width = 1;
    while (value >= 10)
        value /= 10, width++;
    return width;
}

/* `value` written over json[at, at + width), which its digits fill. */
static void put_digits(char *json, size_t at, size_t width, unsigned long long value)
{
    for (size_t k = at + width; k-- > at; value /= 10)
        json[k] = (char)('0' + value % 10);
}

/* Cached JSON whose block moved up or down: add the difference to each
 * row number. */
static int shift_rows(dl_lsp_symbol_entry *e)
{
    long long rows = (long long)e->row - (long long)e->rendered_row;
    size_t i = 0, end;
    /* Nearly always a row keeps its number of digits: the new digits go
     * where the old ones were. */
    for (; i < e->row_count; i++) {
        size_t at = e->row_at[i];
        unsigned long long row = (unsigned long long)(number_at(e, at, &end) + rows);
        if (decimal_width(row) != end - at)
            break;
        put_digits(e->json, at, end - at, row);
    }
    if (i < e->row_count) { /* from here on, into a longer or shorter copy */
        dl_lsp_buf shifted = {0};
        dl_lsp_buf_reserve(&shifted, e->size + 16);
        size_t from = 0;
        for (; i < e->row_count; i++) {
            size_t at = e->row_at[i];
            dl_lsp_buf_put(&shifted, e->json + from, at - from);
            e->row_at[i] = (uint32_t)shifted.size;
            dl_lsp_buf_put_uint(&shifted, (unsigned long long)(number_at(e, at, &from) + rows));
        }
        dl_lsp_buf_put(&shifted, e->json + from, e->size - from);
        if (shifted.failed) { /* the caller renders the block afresh */
            dl_lsp_buf_dispose(&shifted);
            return -1;
        }
        free(e->json);
        e->json = shifted.data;
        e->size = shifted.size;
    }
    e->rendered_row = e->row;
    return 0;
}

/* Cached JSON of a paragraph that has another number now: a paragraph
 * came or went above it. */
static int renumber(dl_lsp_symbol_entry *e, unsigned number)
{
    size_t at = e->number_at, end;
    number_at(e, at, &end);
    size_t width = decimal_width(number), old_width = end - at;
    if (width != old_width) { /* into a longer or shorter copy */
        char *json = malloc(e->size - old_width + width);
        if (json == NULL)
            return -1;
        memcpy(json, e->json, at);
        memcpy(json + at + width, e->json + end, e->size - end);
        free(e->json);
        e->json = json;
        e->size = e->size - old_width + width;
        for (size_t i = 0; i < e->row_count; i++)
            e->row_at[i] = (uint32_t)((long long)e->row_at[i] + (long long)width -
                                      (long long)old_width);
    }
    put_digits(e->json, at, width, number);
    e->paragraph = number - 1;
    return 0;
}

/* Whether a cached block's JSON has the right paragraph number, once
 * renumbered if need be. */
static bool numbered_as(symbol_writer *w, dl_lsp_symbol_entry *e)
{
    if (e->symbol != w->g->paragraph || e->paragraph == w->paragraphs)
        return true;
    return e->number_at != 0 && renumber(e, w->paragraphs + 1) == 0;
}

static void keep(symbol_writer *w, const dl_lsp_symbol_entry *e)
{
    if (w->fresh_count == w->fresh_capacity) {
        size_t capacity = w->fresh_capacity ? w->fresh_capacity * 2 : 64;
        dl_lsp_symbol_entry *fresh = realloc(w->fresh, capacity * sizeof(*fresh));
        if (fresh == NULL) { /* its JSON is in the outline: the outline fails */
            free(e->json);
            free(e->row_at);
            w->pieces->own.failed = 1;
            return;
        }
        w->fresh = fresh;
        w->fresh_capacity = capacity;
    }
    w->fresh[w->fresh_count++] = *e;
}

/* A cached block's JSON into the outline, where it is (not copied). It
 * starts with the comma that separates it from the symbol before it,
 * left out where it comes first. The entry learns where it went. */
static void emit(symbol_writer *w, dl_lsp_symbol_entry *e)
{
    e->first = (unsigned char)w->first;
    e->nested = w->nested;
    e->ends_section = 0;
    dl_lsp_pieces_span(w->pieces, e->json + e->first, e->size - e->first);
    e->piece = w->pieces->count - 1;
    w->first = 0;
}

/* Render `node` into w->block, with the comma that goes before it. */
static void render_alone(symbol_writer *w, TSNode node)
{
    dl_lsp_buf *out = w->out;
    int first = w->first;
    w->block.size = 0;
    w->row_count = 0;
    w->out = &w->block;
    dl_lsp_buf_put(&w->block, ",", 1);
    w->first = 1;
    render_block(w, node);
    w->out = out;
    w->first = first;
}

/* The block just rendered into w->block becomes the JSON of `e`. */
static int take_block(symbol_writer *w, dl_lsp_symbol_entry *e)
{
    e->json = malloc(w->block.size);
    e->row_at = malloc(w->row_count * sizeof(*e->row_at) + 1);
    if (w->block.failed || e->json == NULL || e->row_at == NULL) {
        free(e->json);
        free(e->row_at);
        e->json = NULL;
        e->row_at = NULL;
        return -1;
    }
    memcpy(e->json, w->block.data, w->block.size);
    e->size = w->block.size;
    memcpy(e->row_at, w->row_at, w->row_count * sizeof(*e->row_at));
    e->row_count = w->row_count;
    e->number_at = 0;
    if (e->symbol == w->g->paragraph && e->size > sizeof(PARAGRAPH_START) - 1 &&
        memcmp(e->json, PARAGRAPH_START, sizeof(PARAGRAPH_START) - 1) == 0)
        e->number_at = sizeof(PARAGRAPH_START) - 1;
    return 0;
}

static void write_block(symbol_writer *w, TSNode node)
{
    const dl_lsp_symbols *g = w->g;
    if (is(node, g->section)) {
        TSNode title = ts_node_child_by_field_name(node, "title", 5);
        if (ts_node_is_null(title))
            title = node;
        first_words(&w->scratch, w->doc->text, ts_node_start_byte(title),
                    ts_node_end_byte(title), 12);
        begin_symbol(w, KIND_NAMESPACE, node, title);
        dl_lsp_buf_puts(w->out, ",\"children\":[");
        w->first = 1;
        size_t before = w->fresh_count;
        w->nested = 1;
        write_level(w, node);
        w->nested = 0;
        if (w->fresh_count > before) /* the section's range ends with its last block */
            w->fresh[w->fresh_count - 1].ends_section = 1;
        dl_lsp_buf_puts(w->out, "]}");
        w->first = 0;
        return;
    }
    TSSymbol symbol = ts_node_symbol(node);
    if (symbol != g->headline && symbol != g->byline && symbol != g->paragraph &&
        symbol != g->list && symbol != g->editor_note)
        return; /* dek, timestamp, subhead outside a section: not outline items */

    dl_lsp_symbol_entry *hit = cached_block(w, node);
    if (hit != NULL && numbered_as(w, hit) &&
        (hit->row == hit->rendered_row || shift_rows(hit) == 0)) {
        if (symbol == g->paragraph)
            w->paragraphs++;
        emit(w, hit);
        keep(w, hit);
        hit->json = NULL; /* moved */
        hit->row_at = NULL;
        return;
    }
    dl_lsp_symbol_entry e = {
        .node_id = node.id,
        .start = ts_node_start_byte(node),
        .end = ts_node_end_byte(node),
        .row = ts_node_start_point(node).row,
        .symbol = symbol,
        .paragraph = w->paragraphs,
    };
    e.rendered_row = e.row;
    render_alone(w, node);
    if (take_block(w, &e) < 0) {
        w->pieces->own.failed = 1;
        return;
    }
    emit(w, &e);
    keep(w, &e);
}

static void write_level(symbol_writer *w, TSNode parent)
{
    TSTreeCursor cursor = ts_tree_cursor_new(parent);
    for (bool more = ts_tree_cursor_goto_first_child(&cursor); more;
         more = ts_tree_cursor_goto_next_sibling(&cursor)) {
        TSNode child = ts_tree_cursor_current_node(&cursor);
        if (ts_node_is_named(child))
            write_block(w, child);
    }
    ts_tree_cursor_delete(&cursor);
}

/* The node of a cached block in the document's tree as it is now, found
 * from the root down by its start: a section, then the block. */
static bool find_block(const dl_lsp_document *doc, const dl_lsp_symbol_entry *e, TSNode *out)
{
    TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(doc->tree));
    bool found = false;
    for (unsigned level = 0;
         !found && level <= e->nested && ts_tree_cursor_goto_first_child_for_byte(&cursor, e->start) >= 0;
         level++) {
        TSNode node = ts_tree_cursor_current_node(&cursor);
        found = level == e->nested && ts_node_start_byte(node) == e->start &&
                ts_node_symbol(node) == e->symbol && ts_node_is_named(node);
        if (found)
            *out = node;
    }
    ts_tree_cursor_delete(&cursor);
    return found;
}

/* Whether `node` is where the cached block `e` is, and as big. */
static bool in_place(const dl_lsp_symbol_entry *e, TSNode node)
{
    return ts_node_end_byte(node) == e->end && ts_node_start_point(node).row == e->row;
}

/* Whether the cached block `e`, rendered now, gives its cached JSON. */
static bool renders_as_cached(symbol_writer *w, const dl_lsp_symbol_entry *e)
{
    TSNode node;
    if (e->json == NULL || !find_block(w->doc, e, &node) || !in_place(e, node))
        return false;
    w->paragraphs = e->paragraph;
    render_alone(w, node);
    return !w->block.failed && !w->scratch.failed && w->block.size == e->size &&
           memcmp(w->block.data, e->json, e->size) == 0;
}

/* A re-rendered block's node id belongs to the tree of its time, held
 * until the next full walk: while a tree lives, no other node can take
 * the ids of its nodes. At most this many are held. */
#define HELD_TREES_MAX 64

/*
 * The kept outline again, with the one block the edits since fell in
 * rendered anew; false when that is not known to give what a full walk
 * would. Edits that moved no row and stayed inside one block change no
 * other block's text or rows. The scanner keeps no state from block to
 * block, so another block's structure could change only through what a
 * neighbour's tokens looked ahead at: the blocks on both sides must render
 * as they did.
 */
static bool render_one_again(dl_lsp_document *doc, dl_lsp_encoding enc)
{
    size_t k = doc->outline_block;
    dl_lsp_symbol_entry *e = &doc->symbol_cache[k];
    if (e->ends_section || doc->held_count == HELD_TREES_MAX)
        return false;
    TSTree **held = realloc(doc->held_trees, (doc->held_count + 1) * sizeof(*held));
    if (held == NULL)
        return false;
    doc->held_trees = held;

    symbol_writer w = {.pieces = &doc->outline, .out = &doc->outline.own, .doc = doc,
                       .enc = enc, .g = dl_lsp_grammar()};
    dl_lsp_symbol_entry fresh = *e;
    TSNode node;
    bool rendered = find_block(doc, e, &node) && in_place(e, node) &&
                    (k == 0 || renders_as_cached(&w, &doc->symbol_cache[k - 1])) &&
                    (k + 1 == doc->symbol_count || renders_as_cached(&w, &doc->symbol_cache[k + 1]));
    if (rendered) {
        fresh.node_id = node.id;
        fresh.rendered_row = e->row;
        w.paragraphs = e->paragraph;
        render_alone(&w, node);
        rendered = !w.scratch.failed && take_block(&w, &fresh) == 0;
    }
    dl_lsp_buf_dispose(&w.scratch);
    dl_lsp_buf_dispose(&w.block);
    free(w.row_at);
    if (!rendered)
        return false;
    *e = fresh;
    doc->outline.items[e->piece] =
        (dl_lsp_piece){.data = e->json + e->first, .size = e->size - e->first};
    doc->held_trees[doc->held_count++] = ts_tree_copy(doc->tree);
    return true;
}

const dl_lsp_pieces *dl_lsp_document_symbols(dl_lsp_document *doc, dl_lsp_encoding enc)
{
    if (doc->symbol_enc != enc) { /* columns differ: nothing cached is right */
        dl_lsp_symbol_cache_clear(doc);
        doc->symbol_enc = enc;
    }
    bool again = doc->outline_kept && !doc->outline_spoilt &&
                 (doc->outline_edits == 0 ||
                  (doc->outline_block != SIZE_MAX && render_one_again(doc, enc)));
    doc->outline_edits = 0;
    doc->outline_block = SIZE_MAX;
    doc->outline_spoilt = 0;
    if (again)
        return &doc->outline;

    /* A full walk. The kept outline's pieces point into cached JSON that
     * the walk moves or frees: it is made anew. */
    dl_lsp_pieces_dispose(&doc->outline);
    memset(&doc->outline, 0, sizeof(doc->outline));
    symbol_writer w = {.pieces = &doc->outline, .out = &doc->outline.own, .doc = doc,
                       .enc = enc, .g = dl_lsp_grammar(), .first = 1};
    if (doc->symbol_count > 0 && (w.fresh = malloc(doc->symbol_count * sizeof(*w.fresh))) != NULL)
        w.fresh_capacity = doc->symbol_count;
    dl_lsp_buf_puts(w.out, "[");
    write_level(&w, ts_tree_root_node(doc->tree));
    dl_lsp_buf_puts(w.out, "]");
    dl_lsp_pieces_finish(&doc->outline);
    if (w.scratch.failed)
        doc->outline.own.failed = 1;
    dl_lsp_buf_dispose(&w.scratch);
    dl_lsp_buf_dispose(&w.block);
    free(w.row_at);
    dl_lsp_pieces outline = doc->outline; /* the clear below would dispose it */
    memset(&doc->outline, 0, sizeof(doc->outline));
    dl_lsp_symbol_cache_clear(doc); /* what was not reused */
    doc->outline = outline;
    doc->outline_kept = !outline.own.failed;
    doc->symbol_cache = w.fresh;
    doc->symbol_count = w.fresh_count;
    doc->symbol_tree = ts_tree_copy(doc->tree);
    return &doc->outline;
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
    fold_level(out, dl_lsp_grammar(), ts_tree_root_node(doc->tree), &first);
    dl_lsp_buf_puts(out, "]");
}

/* ------------------------------------------------------ semantic tokens -- */

const char *const dl_lsp_token_types[] = {
    "headline", "dek",       "byline",       "dateline",  "subhead", "quotation",
    "speaker",  "verb",      "addition",     "deletion",  "substitution",
    "highlight", "comment",  "editorNote",   "url",       "number",  NULL,
};

static int token_type(const dl_lsp_symbols *g, TSNode node)
{
    TSSymbol s = ts_node_symbol(node);
    const TSSymbol order[] = {g->headline,  g->dek,          g->byline,    g->dateline,
                              g->subhead,   g->quotation,    g->speaker,   g->verb,
                              g->addition,  g->deletion,     g->substitution, g->highlight,
                              g->comment,   g->editor_note,  g->url,       g->number};
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
static void emit_tokens(token_writer *t, uint32_t from, uint32_t to, int type)
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
            dl_lsp_buf_printf(t->out, "%s%u,%u,%u,%d,0", t->first ? "" : ",", delta_line,
                              delta_char, length, type);
            t->first = 0;
            t->line = line, t->character = character;
        }
        from = end + 1;
    }
}

/* Tokens for `node`'s descendants; `type` >= 0 when `node` is itself a
 * token: its text between token children gets that type. */
static void tokens_in(token_writer *t, const dl_lsp_symbols *g, TSNode node, int type,
                      uint32_t *cursor)
{
    TSTreeCursor walk = ts_tree_cursor_new(node);
    for (bool more = ts_tree_cursor_goto_first_child(&walk); more;
         more = ts_tree_cursor_goto_next_sibling(&walk)) {
        TSNode child = ts_tree_cursor_current_node(&walk);
        if (!ts_node_is_named(child))
            continue;
        int child_type = token_type(g, child);
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
    tokens_in(&t, dl_lsp_grammar(), ts_tree_root_node(doc->tree), -1, &cursor);
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

static void span_push(span_list *list, uint32_t start, uint32_t end)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 32;
        span *items = realloc(list->items, capacity * sizeof(*items));
        if (items == NULL)
            return;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = (span){start, end};
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

typedef struct {
    const dl_lsp_document *doc;
    const dl_lsp_symbols *g;
    span_list quotes, contents, annotations, blocks;
    TSNode first_body; /* the first body paragraph */
    bool body_seen;
} survey;

static void survey_walk(survey *s, TSNode node, int depth)
{
    const dl_lsp_symbols *g = s->g;
    TSTreeCursor cursor = ts_tree_cursor_new(node);
    for (bool more = ts_tree_cursor_goto_first_child(&cursor); more;
         more = ts_tree_cursor_goto_next_sibling(&cursor)) {
        TSNode child = ts_tree_cursor_current_node(&cursor);
        if (!ts_node_is_named(child))
            continue;
        TSSymbol sym = ts_node_symbol(child);
        uint32_t start = ts_node_start_byte(child), end = ts_node_end_byte(child);
        if (depth == 0 && is_block(g, child)) /* lists in paragraphs are not blocks */
            span_push(&s->blocks, start, end);
        if (!s->body_seen && (sym == g->paragraph || sym == g->list || sym == g->editor_note ||
                              sym == g->section)) {
            s->body_seen = true;
            if (sym == g->paragraph)
                s->first_body = child;
        }
        if (sym == g->quotation) {
            span_push(&s->quotes, start, end);
            TSNode content = {{0}, NULL, NULL};
            for (uint32_t c = 0, n = ts_node_named_child_count(child); c < n; c++)
                if (is(ts_node_named_child(child, c), g->content))
                    content = ts_node_named_child(child, c);
            if (!ts_node_is_null(content))
                span_push(&s->contents, ts_node_start_byte(content), ts_node_end_byte(content));
            else
                span_push(&s->contents, end, end);
        } else if (sym == g->addition || sym == g->deletion || sym == g->substitution ||
                   sym == g->highlight || sym == g->comment) {
            span_push(&s->annotations, start, end);
        }
        if (ts_node_named_child_count(child) > 0 && sym != g->dateline && sym != g->attribution)
            survey_walk(s, child, sym == g->section ? depth : depth + 1);
    }
    ts_tree_cursor_delete(&cursor);
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

/* Where text can be appended to a block: before its trailing whitespace. */
static uint32_t block_text_end(const char *text, const span *block)
{
    uint32_t end = block->end;
    while (end > block->start && is_space((unsigned char)text[end - 1]))
        end--;
    return end;
}

/* A straight quote that opens (after a space or bracket, before text),
 * rather than closing or marking inches (5'10"). */
static bool opens_quote(const char *text, size_t size, uint32_t i)
{
    unsigned char before = i > 0 ? (unsigned char)text[i - 1] : ' ';
    unsigned char after = i + 1 < size ? (unsigned char)text[i + 1] : ' ';
    bool before_ok = is_space(before) || before == '(' || before == '[' || before == '{' ||
                     before == '>' || (i >= 3 && (unsigned char)text[i - 3] == 0xE2 &&
                                       (unsigned char)text[i - 2] == 0x80 &&
                                       ((unsigned char)text[i - 1] == 0x94 ||
                                        (unsigned char)text[i - 1] == 0x93));
    return before_ok && !is_space(after) && after != '"';
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
    if (ts_node_is_null(s->first_body))
        return 0;
    TSNode first = ts_node_named_child(s->first_body, 0);
    if (!ts_node_is_null(first) && is(first, s->g->dateline))
        return 0;
    const char *text = s->doc->text;
    uint32_t start = ts_node_start_byte(s->first_body), end = ts_node_end_byte(s->first_body);
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
                /* Only whitespace may separate a doubled word. */
                if (!is_space(c))
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
    for (size_t w = 0; w < doc->warning_count; w++) {
        size_t n = strlen(doc->warnings[w].text);
        for (size_t q = 0; q < s->contents.count; q++) {
            const span *c = &s->contents.items[q];
            if (c->end - c->start == n && memcmp(doc->text + c->start, doc->warnings[w].text, n) == 0 &&
                add(out, s->quotes.items[q].start, s->quotes.items[q].end, 2, "quotation-changed",
                    strdup(doc->warnings[w].message)) < 0)
                return DL_ERROR;
        }
    }
    return 0;
}

int dl_lsp_diagnose(dl_lsp_diagnostics *out, const dl_lsp_document *doc)
{
    survey s = {.doc = doc, .g = dl_lsp_grammar()};
    memset(out, 0, sizeof(*out));
    survey_walk(&s, ts_tree_root_node(doc->tree), 0);
    int error = 0;
    if ((error = check_quote_marks(out, &s)) < 0 || (error = check_annotations(out, &s)) < 0 ||
        (error = check_dateline(out, &s)) < 0 || (error = check_repeated_words(out, &s)) < 0 ||
        (error = check_quote_changes(out, &s)) < 0)
        dl_lsp_diagnostics_dispose(out);
    free(s.quotes.items);
    free(s.contents.items);
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
    return json_pack("{s:o, s:i, s:s, s:s, s:s}", "range",
                     dl_lsp_range_json(doc, d->start, d->end, enc), "severity", d->severity,
                     "code", d->code, "source", "dateline", "message", d->message);
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

json_t *dl_lsp_code_actions(const dl_lsp_document *doc, uint32_t start, uint32_t end,
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

static bool sentence_end(const char *text, uint32_t i, uint32_t end)
{
    char c = text[i];
    return (c == '.' || c == '!' || c == '?') && (i + 1 >= end || is_space((unsigned char)text[i + 1]) ||
                                                  text[i + 1] == '"' ||
                                                  (unsigned char)text[i + 1] == 0xE2);
}

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
    const dl_lsp_symbols *g = dl_lsp_grammar();
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
            uint32_t ss = at, se = at;
            while (ss > bs && !sentence_end(text, ss - 1, be))
                ss--;
            while (ss < at && is_space((unsigned char)text[ss]))
                ss++;
            while (se < be && !sentence_end(text, se, be))
                se++;
            if (se < be)
                se++;
            while (se < be && (text[se] == '"' || (unsigned char)text[se] == 0xE2)) /* closing mark */
                se += text[se] == '"' ? 1 : 3;
            if (se > be)
                se = be;
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

char *dl_lsp_normalize(const char *text, size_t size)
{
    char *out = malloc(size + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < size; i++) {
        if (is_space((unsigned char)text[i])) {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = text[i];
    }
    out[n] = '\0';
    return out;
}

static char *copy_range(const char *text, uint32_t start, uint32_t end)
{
    char *copy = malloc(end - start + 1);
    if (copy != NULL) {
        memcpy(copy, text + start, end - start);
        copy[end - start] = '\0';
    }
    return copy;
}

/* "¶ n" of a paragraph: its number among the article's paragraphs. */
static unsigned paragraph_number(const dl_lsp_symbols *g, TSNode parent, uint32_t target,
                                 unsigned *count)
{
    TSTreeCursor cursor = ts_tree_cursor_new(parent);
    unsigned found = 0;
    for (bool more = ts_tree_cursor_goto_first_child(&cursor); more && !found;
         more = ts_tree_cursor_goto_next_sibling(&cursor)) {
        TSNode child = ts_tree_cursor_current_node(&cursor);
        if (is(child, g->paragraph)) {
            ++*count;
            if (ts_node_start_byte(child) == target)
                found = *count;
        } else if (is(child, g->section) && ts_node_start_byte(child) <= target &&
                   target < ts_node_end_byte(child)) {
            found = paragraph_number(g, child, target, count);
        } else if (is(child, g->section)) {
            /* count its paragraphs without descending far: they are direct children */
            for (uint32_t c = 0, n = ts_node_named_child_count(child); c < n; c++)
                *count += is(ts_node_named_child(child, c), g->paragraph);
        }
    }
    ts_tree_cursor_delete(&cursor);
    return found;
}

int dl_lsp_hover_context_at(dl_lsp_hover_context *out, const dl_lsp_document *doc,
                            uint32_t offset)
{
    const dl_lsp_symbols *g = dl_lsp_grammar();
    memset(out, 0, sizeof(*out));
    TSNode root = ts_tree_root_node(doc->tree);
    TSNode node = ts_node_descendant_for_byte_range(root, offset, offset);
    TSNode block = {{0}, NULL, NULL}, quote = {{0}, NULL, NULL};
    for (TSNode up = node; !ts_node_is_null(up); up = ts_node_parent(up)) {
        if (ts_node_is_null(quote) && is(up, g->quotation))
            quote = up;
        if (ts_node_is_null(block) && is_block(g, up) && !is(up, g->list))
            block = up;
        if (is(up, g->list) && ts_node_is_null(block))
            block = up;
    }
    /* A list inside a paragraph belongs to it. */
    if (!ts_node_is_null(block) && is(block, g->list)) {
        TSNode parent = ts_node_parent(block);
        if (!ts_node_is_null(parent) && is(parent, g->paragraph))
            block = parent;
    }
    if (!ts_node_is_null(block)) {
        out->block_start = ts_node_start_byte(block);
        out->block_end = ts_node_end_byte(block);
        out->block_text = copy_range(doc->text, out->block_start, out->block_end);
        char label[64];
        if (is(block, g->paragraph)) {
            unsigned count = 0;
            snprintf(label, sizeof(label), "¶ %u", paragraph_number(g, root, out->block_start, &count));
        } else {
            snprintf(label, sizeof(label), "%s", ts_node_type(block));
        }
        out->block_label = strdup(label);
        if (out->block_text == NULL || out->block_label == NULL)
            goto oom;
    }
    if (!ts_node_is_null(quote)) {
        out->quote_start = ts_node_start_byte(quote);
        out->quote_end = ts_node_end_byte(quote);
        uint32_t cs = out->quote_start, ce = out->quote_start;
        for (uint32_t c = 0, n = ts_node_named_child_count(quote); c < n; c++) {
            TSNode child = ts_node_named_child(quote, c);
            if (is(child, g->content))
                cs = ts_node_start_byte(child), ce = ts_node_end_byte(child);
        }
        out->quote_text = copy_range(doc->text, cs, ce);
        if (out->quote_text == NULL)
            goto oom;
        TSNode container = ts_node_parent(quote);
        quote_list quotes = {0};
        if (!ts_node_is_null(block))
            collect_quotes(g, block, &quotes);
        inherit_speakers(&quotes);
        for (size_t i = 0; i < quotes.count; i++) {
            TSNode s = quotes.items[i].speaker;
            if (ts_node_start_byte(quotes.items[i].node) == out->quote_start && !ts_node_is_null(s))
                out->speaker = copy_range(doc->text, ts_node_start_byte(s), ts_node_end_byte(s));
        }
        free(quotes.items);
        (void)container;
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
