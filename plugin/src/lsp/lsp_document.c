/*
 * dateline — the language server's open documents.
 *
 * A document is its text, an index of where each line starts, and a
 * tree-sitter tree. An edit splices the text, patches the line index (only
 * the lines after the edit shift) and re-parses with the old tree, so the
 * cost of a keystroke grows with what it touches, not with the document.
 *
 * Positions: LSP counts lines and, by default, UTF-16 code units within a
 * line; the server offers UTF-8 when the client can take it. Only '\n' ends
 * a line, as for tree-sitter (a CRLF line's '\r' is its last character).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "dateline/text.h"
#include "lsp_internal.h"

const TSLanguage *tree_sitter_article(void);

/* ------------------------------------------------------------ grammar -- */

/* The node types the syntax features (folding, tokens, selection) read. */
static void look_up_symbols(dl_lsp_symbols *g)
{
    const TSLanguage *lang = tree_sitter_article();
#define SYM(field) g->field = ts_language_symbol_for_name(lang, #field, strlen(#field), true)
    SYM(headline); SYM(dek); SYM(byline); SYM(timestamp); SYM(section); SYM(subhead);
    SYM(paragraph); SYM(list); SYM(editor_note); SYM(dateline); SYM(quotation);
    SYM(speaker); SYM(verb); SYM(addition); SYM(deletion); SYM(substitution);
    SYM(highlight); SYM(comment); SYM(content); SYM(url); SYM(number);
#undef SYM
}

/* --------------------------------------------------------------- URIs -- */

char *dl_lsp_uri_to_path(const char *uri)
{
    if (uri == NULL || strncmp(uri, "file://", 7) != 0)
        return NULL;
    const char *p = uri + 7;
    if (*p != '/') { /* file://host/path: only an empty or local host */
        if (strncmp(p, "localhost/", 10) != 0)
            return NULL;
        p += 9;
    }
    char *path = NULL;
    size_t n = strcspn(p, "?#");
    if (dl_text_percent_decode(&path, p, n) < 0) { /* %00 or a malformed escape */
        dl_error_clear();
        return NULL;
    }
    return path;
}

/* --------------------------------------------------------- line index -- */

static int lines_reserve(dl_lsp_document *doc, size_t need)
{
    if (need <= doc->line_capacity)
        return 0;
    size_t capacity = doc->line_capacity ? doc->line_capacity : 64;
    while (capacity < need)
        capacity *= 2;
    uint32_t *lines = realloc(doc->lines, capacity * sizeof(*lines));
    if (lines == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    doc->lines = lines;
    doc->line_capacity = capacity;
    return 0;
}

static size_t count_newlines(const char *text, size_t size)
{
    size_t n = 0;
    for (const char *p = text, *end = text + size; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    return n;
}

static int index_lines(dl_lsp_document *doc)
{
    if (lines_reserve(doc, count_newlines(doc->text, doc->size) + 1) < 0)
        return DL_ERROR;
    doc->line_count = 0;
    doc->lines[doc->line_count++] = 0;
    const char *end = doc->text + doc->size;
    for (const char *p = doc->text; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        doc->lines[doc->line_count++] = (uint32_t)(p + 1 - doc->text);
    return 0;
}

/* The line holding byte `offset`. */
static size_t line_of(const dl_lsp_document *doc, uint32_t offset)
{
    size_t lo = 0, hi = doc->line_count; /* lines[lo] <= offset < lines[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Where line `line`'s text ends (before its '\n'). */
static uint32_t line_end(const dl_lsp_document *doc, size_t line)
{
    if (line + 1 < doc->line_count)
        return doc->lines[line + 1] - 1;
    return (uint32_t)doc->size;
}

/* --------------------------------------------------------- positions -- */

static size_t char_length(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

uint32_t dl_lsp_document_offset(const dl_lsp_document *doc, uint32_t line, uint32_t character,
                                dl_lsp_encoding enc)
{
    if (line >= doc->line_count)
        return (uint32_t)doc->size;
    uint32_t at = doc->lines[line], end = line_end(doc, line);
    const unsigned char *text = (const unsigned char *)doc->text;
    uint32_t units = 0;
    while (at < end && units < character) {
        size_t n = char_length(text[at]);
        if (at + n > end)
            n = end - at;
        uint32_t width = enc == DL_LSP_UTF8 ? (uint32_t)n : (n == 4 ? 2 : 1);
        if (units + width > character)
            break; /* inside a character: stay at its start */
        units += width;
        at += (uint32_t)n;
    }
    return at;
}

void dl_lsp_document_position(const dl_lsp_document *doc, uint32_t offset, dl_lsp_encoding enc,
                              uint32_t *line, uint32_t *character)
{
    if (offset > doc->size)
        offset = (uint32_t)doc->size;
    size_t l = line_of(doc, offset);
    uint32_t at = doc->lines[l];
    *line = (uint32_t)l;
    if (enc == DL_LSP_UTF8) {
        *character = offset - at;
        return;
    }
    const unsigned char *text = (const unsigned char *)doc->text;
    uint32_t units = 0;
    while (at < offset) {
        size_t n = char_length(text[at]);
        units += n == 4 ? 2 : 1;
        at += (uint32_t)n;
    }
    *character = units;
}

static TSPoint point_at(const dl_lsp_document *doc, uint32_t offset)
{
    size_t l = line_of(doc, offset);
    return (TSPoint){(uint32_t)l, offset - doc->lines[l]};
}

/* ---------------------------------------------------------- documents -- */

static int reserve_text(dl_lsp_document *doc, size_t size)
{
    if (size > UINT32_MAX - 1)
        return dl_error_set(DL_EINVALID, "document too large (%zu bytes)", size);
    if (size + 1 <= doc->capacity)
        return 0;
    size_t capacity = doc->capacity ? doc->capacity : 4096;
    while (capacity < size + 1)
        capacity *= 2;
    char *text = realloc(doc->text, capacity);
    if (text == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    doc->text = text;
    doc->capacity = capacity;
    return 0;
}

static int parse(dl_lsp_document *doc, TSTree *old)
{
    TSTree *tree = ts_parser_parse_string(doc->parser, old, doc->text, (uint32_t)doc->size);
    if (tree == NULL)
        return dl_error_set(DL_ERROR, "the parser gave up on this text");
    ts_tree_delete(doc->tree);
    doc->tree = tree;
    doc->article_current = 0;
    return 0;
}

const dl_article *dl_lsp_document_article(dl_lsp_document *doc)
{
    if (doc->article_current)
        return doc->article;
    dl_article *article = NULL;
    if (doc->tree == NULL ||
        dl_article_rebuild(&article, doc->article, doc->text, doc->size, doc->tree) < 0)
        return NULL;
    dl_article_free(doc->article);
    doc->article = article;
    doc->article_current = 1;
    return article;
}

int dl_lsp_document_new(dl_lsp_document **out, const char *uri, const char *text, size_t size,
                        long long version)
{
    int error = DL_ERROR;
    dl_lsp_document *doc = calloc(1, sizeof(*doc));
    if (doc == NULL || (doc->uri = strdup(uri)) == NULL ||
        (doc->parser = ts_parser_new()) == NULL) {
        dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    doc->path = dl_lsp_uri_to_path(uri);
    doc->version = version;
    ts_parser_set_language(doc->parser, tree_sitter_article());
    look_up_symbols(&doc->grammar);
    if ((error = reserve_text(doc, size)) < 0)
        goto done;
    memcpy(doc->text, text, size);
    doc->text[size] = '\0';
    doc->size = size;
    if ((error = index_lines(doc)) < 0 || (error = parse(doc, NULL)) < 0)
        goto done;
    doc->diagnostics_dirty = 1;
    *out = doc;
    doc = NULL;
    error = 0;
done:
    dl_lsp_document_free(doc);
    return error;
}

void dl_lsp_quote_warnings_free(dl_lsp_quote_warning *warnings, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(warnings[i].text);
        free(warnings[i].message);
    }
    free(warnings);
}

void dl_lsp_document_free(dl_lsp_document *doc)
{
    if (doc == NULL)
        return;
    dl_article_free(doc->article);
    ts_tree_delete(doc->tree);
    ts_parser_delete(doc->parser);
    dl_lsp_quote_warnings_free(doc->warnings, doc->warning_count);
    free(doc->lines);
    free(doc->text);
    free(doc->path);
    free(doc->uri);
    free(doc);
}

/* Patch the line index for bytes [start, old_end) replaced by `size` bytes
 * of `text`: line starts inside the old range go, those after it shift,
 * the new text's own line starts come in. */
static int patch_lines(dl_lsp_document *doc, uint32_t start, uint32_t old_end, const char *text,
                       size_t size)
{
    size_t first = line_of(doc, start) + 1; /* first line start that may change */
    size_t after = first;
    while (after < doc->line_count && doc->lines[after] <= old_end)
        after++;
    size_t added = count_newlines(text, size);
    size_t count = doc->line_count - (after - first) + added;
    if (lines_reserve(doc, count) < 0)
        return DL_ERROR;
    long long delta = (long long)size - (long long)(old_end - start);
    memmove(doc->lines + first + added, doc->lines + after,
            (doc->line_count - after) * sizeof(*doc->lines));
    for (size_t i = first + added; i < count; i++)
        doc->lines[i] = (uint32_t)((long long)doc->lines[i] + delta);
    size_t k = first;
    const char *end = text + size;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        doc->lines[k++] = start + (uint32_t)(p + 1 - text);
    doc->line_count = count;
    return 0;
}

int dl_lsp_document_edit(dl_lsp_document *doc, const dl_lsp_range *range, const char *text,
                         size_t size, dl_lsp_encoding enc)
{
    if (range == NULL) { /* the whole text */
        if (reserve_text(doc, size) < 0)
            return DL_ERROR;
        memmove(doc->text, text, size);
        doc->text[size] = '\0';
        doc->size = size;
        doc->diagnostics_dirty = 1;
        if (index_lines(doc) < 0)
            return DL_ERROR;
        return parse(doc, NULL);
    }

    uint32_t start = dl_lsp_document_offset(doc, range->start_line, range->start_character, enc);
    uint32_t end = dl_lsp_document_offset(doc, range->end_line, range->end_character, enc);
    if (end < start) {
        uint32_t swap = start;
        start = end, end = swap;
    }
    size_t new_size = doc->size - (end - start) + size;
    if (reserve_text(doc, new_size) < 0)
        return DL_ERROR;

    TSInputEdit edit = {
        .start_byte = start,
        .old_end_byte = end,
        .new_end_byte = start + (uint32_t)size,
        .start_point = point_at(doc, start),
        .old_end_point = point_at(doc, end),
    };
    const char *last_newline = NULL;
    for (const char *p = text, *e = text + size; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        last_newline = p;
    edit.new_end_point.row = edit.start_point.row + (uint32_t)count_newlines(text, size);
    edit.new_end_point.column = last_newline ? (uint32_t)(text + size - last_newline - 1)
                                             : edit.start_point.column + (uint32_t)size;

    if (patch_lines(doc, start, end, text, size) < 0)
        return DL_ERROR;
    memmove(doc->text + start + size, doc->text + end, doc->size - end);
    memcpy(doc->text + start, text, size);
    doc->size = new_size;
    doc->text[new_size] = '\0';
    doc->diagnostics_dirty = 1;

    ts_tree_edit(doc->tree, &edit);
    return parse(doc, doc->tree);
}
