#include "dateline/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"

json_t *dl_json_range(const dl_range *range)
{
    return json_pack("{s:[I,I],s:[I,I]}", "bytes", (json_int_t)range->start_byte,
                     (json_int_t)range->end_byte, "lines", (json_int_t)range->start_line,
                     (json_int_t)range->end_line);
}

static json_t *span_json(const dl_span *span)
{
    if (!span)
        return json_null();
    return json_pack("{s:s%,s:o}", "text", span->text, span->size, "range",
                     dl_json_range(&span->range));
}

static json_t *string_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

static json_t *stats_json(const dl_article_stats *stats)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "words", (json_int_t)stats->words, "sentences",
                     (json_int_t)stats->sentences, "paragraphs", (json_int_t)stats->paragraphs, "quotations", (json_int_t)stats->quotations,
                     "reading_seconds", (json_int_t)stats->reading_seconds);
}

int dl_json_article_stats(json_t **out, const dl_article_stats *stats)
{
    json_t *json = stats_json(stats);
    if (!json || json_object_set_new(json, "schema", json_integer(DL_JSON_SCHEMA)) < 0) {
        json_decref(json);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    *out = json;
    return 0;
}

static json_t *dateline_json(const dl_article *article)
{
    json_t *json = span_json(article->dateline);
    if (article->dateline && json) {
        json_object_set_new(json, "location", string_or_null(article->dateline_location));
        json_object_set_new(json, "agency", string_or_null(article->dateline_agency));
    }
    return json;
}

static json_t *blocks_json(const dl_article *article)
{
    json_t *blocks = json_array();
    for (size_t i = 0; blocks && i < article->block_count; i++) {
        const dl_block *block = &article->blocks[i];
        json_array_append_new(
            blocks,
            json_pack("{s:s,s:o,s:o,s:I,s:I,s:s}", "kind", dl_article_block_kind_name(block->kind),
                      "range", dl_json_range(&block->span.range), "paragraph",
                      block->paragraph ? json_integer(block->paragraph) : json_null(), "words",
                      (json_int_t)block->words, "sentences", (json_int_t)block->sentences,
                      "first_words", block->first_words));
    }
    return blocks;
}

static json_t *quotations_json(const dl_article *article)
{
    json_t *quotations = json_array();
    for (size_t i = 0; quotations && i < article->quotation_count; i++) {
        const dl_quotation *q = &article->quotations[i];
        json_array_append_new(
            quotations,
            json_pack("{s:s,s:o,s:o,s:o,s:b,s:b}", "text", q->text, "range",
                      dl_json_range(&q->span.range), "block",
                      q->block == DL_NO_BLOCK ? json_null() : json_integer((json_int_t)q->block),
                      "speaker", string_or_null(q->speaker), "continued", q->continued,
                      "runs_on", q->runs_on));
    }
    return quotations;
}

/* The entry of `speakers` for quotation `q`: found through `by_name`
 * (name -> entry), or appended in order of first appearance. Quotations
 * credited to nobody share one entry with a null name, which `unattributed`
 * holds until it is appended last. Returns a borrowed reference. */
static json_t *speaker_entry(json_t *speakers, json_t *by_name, json_t **unattributed,
                             const dl_quotation *q)
{
    json_t *entry = q->speaker ? json_object_get(by_name, q->speaker) : *unattributed;
    if (entry)
        return entry;
    entry = json_pack("{s:o,s:i,s:[],s:[]}", "name", string_or_null(q->speaker), "count", 0,
                      "paragraphs", "quotations");
    if (!entry)
        return NULL;
    if (!q->speaker) {
        *unattributed = entry;
        return entry;
    }
    if (json_object_set(by_name, q->speaker, entry) < 0 ||
        json_array_append_new(speakers, entry) < 0)
        return NULL;
    return entry;
}

/* Who is quoted, how often and where: the copy desk's check, computed from
 * the quotations above so that every front end shows the same figures.
 * `count` counts a quotation running over several paragraphs once, as
 * stats.quotations does; `paragraphs` (numbers, ascending, each once) and
 * `quotations` (indexes into "quotations") list every part. */
static json_t *speakers_json(const dl_article *article)
{
    json_t *speakers = json_array();
    json_t *by_name = json_object();
    json_t *unattributed = NULL;
    /* The entry of a quotation left open at the end of its paragraph: its
     * continuation is the same quotation, listed with it even where the
     * parts name the speaker differently ("said Luis Ortega" ... "Ortega
     * said"), so that no entry holds only the rest of someone's quotation. */
    json_t *running = NULL;
    int ok = speakers && by_name;
    for (size_t i = 0; ok && i < article->quotation_count; i++) {
        const dl_quotation *q = &article->quotations[i];
        json_t *entry = q->continued && running
                            ? running
                            : speaker_entry(speakers, by_name, &unattributed, q);
        if (!entry) {
            ok = 0;
            break;
        }
        running = q->runs_on ? entry : NULL;
        if (!q->continued)
            json_object_set_new(entry, "count",
                                json_integer(json_integer_value(json_object_get(entry, "count")) + 1));
        json_array_append_new(json_object_get(entry, "quotations"), json_integer((json_int_t)i));
        uint32_t number = q->block == DL_NO_BLOCK ? 0 : article->blocks[q->block].paragraph;
        json_t *paragraphs = json_object_get(entry, "paragraphs");
        size_t last = json_array_size(paragraphs);
        /* Quotations come in document order, so a repeat is the last number. */
        if (number && (last == 0 ||
                       json_integer_value(json_array_get(paragraphs, last - 1)) != number))
            json_array_append_new(paragraphs, json_integer(number));
    }
    if (ok && unattributed && json_array_append_new(speakers, unattributed) < 0)
        ok = 0;
    else if (!ok)
        json_decref(unattributed);
    json_decref(by_name);
    if (!ok) {
        json_decref(speakers);
        return NULL;
    }
    return speakers;
}

static json_t *annotations_json(const dl_article *article)
{
    json_t *annotations = json_array();
    for (size_t i = 0; annotations && i < article->annotation_count; i++) {
        const dl_annotation *n = &article->annotations[i];
        json_t *item = json_pack("{s:s,s:s,s:o}", "kind", dl_article_annotation_kind_name(n->kind),
                                 "text", n->text, "range", dl_json_range(&n->span.range));
        if (item && n->kind == DL_ANNOTATION_SUBSTITUTION) {
            json_object_set_new(item, "old", string_or_null(n->old_text));
            json_object_set_new(item, "new", string_or_null(n->new_text));
        }
        json_array_append_new(annotations, item);
    }
    return annotations;
}

int dl_json_article(json_t **out, const dl_article *article)
{
    json_t *json = json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "schema",
                             DL_JSON_SCHEMA, "headline", span_json(article->headline), "dek",
                             span_json(article->dek), "byline", span_json(article->byline),
                             "dateline", dateline_json(article), "blocks", blocks_json(article),
                             "quotations", quotations_json(article), "speakers",
                             speakers_json(article), "annotations", annotations_json(article),
                             "stats", stats_json(&article->stats));
    if (!json)
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    *out = json;
    return 0;
}

/* ------------------------------------------------------------- writer -- */

/* Nesting a writer follows; the documents written this way are three or
 * four levels deep. */
#define WRITER_DEPTH_MAX 16

struct dl_json_writer {
    int text;     /* writes text, else builds `root` */
    int failed;   /* a put failed: the document is not finished */
    size_t depth; /* open containers */
    /* Text: the document so far, and how many values each open container
     * holds (the first follows its opener, the others a comma). */
    char *data;
    size_t size, capacity;
    size_t count[WRITER_DEPTH_MAX];
    char object[WRITER_DEPTH_MAX]; /* the open container is an object */
    /* Tree: the document, and the open containers (borrowed from it). */
    json_t *root;
    json_t *open[WRITER_DEPTH_MAX];
};

int dl_json_writer_new(dl_json_writer **out, int text)
{
    dl_json_writer *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    w->text = text != 0;
    *out = w;
    return 0;
}

void dl_json_writer_free(dl_json_writer *w)
{
    if (w == NULL)
        return;
    free(w->data);
    json_decref(w->root);
    free(w);
}

/* Room for `more` bytes and a NUL after the text; -1 when out of memory
 * (the writer has then failed). */
static int grow(dl_json_writer *w, size_t more)
{
    size_t capacity = w->capacity ? w->capacity : 4096;
    while (capacity - w->size <= more) {
        if (capacity > SIZE_MAX / 2) {
            w->failed = 1;
            return -1;
        }
        capacity *= 2;
    }
    char *data = realloc(w->data, capacity);
    if (data == NULL) {
        w->failed = 1;
        return -1;
    }
    w->data = data;
    w->capacity = capacity;
    return 0;
}

static inline int reserve(dl_json_writer *w, size_t more)
{
    return w->capacity - w->size > more ? 0 : grow(w, more);
}

static void append(dl_json_writer *w, const char *s, size_t n)
{
    if (reserve(w, n) == 0) {
        memcpy(w->data + w->size, s, n);
        w->size += n;
    }
}

/* jansson's escape of one code point outside printable ASCII, at `p`
 * (room for 12 bytes); returns the end. */
static char *put_escape(char *p, uint32_t c)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b"
                      : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                      : c == '\t' ? "\\t" : NULL;
    if (named != NULL) {
        memcpy(p, named, 2);
        return p + 2;
    }
    uint32_t units[2] = {c, 0};
    size_t n = 1;
    if (c >= 0x10000) { /* outside the BMP: a UTF-16 surrogate pair */
        c -= 0x10000;
        units[0] = 0xD800 | (c >> 10);
        units[1] = 0xDC00 | (c & 0x3FF);
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        *p++ = '\\';
        *p++ = 'u';
        for (int shift = 12; shift >= 0; shift -= 4)
            *p++ = hex[units[i] >> shift & 0xF];
    }
    return p;
}

/* The code point of the strict UTF-8 sequence at `s` (as jansson accepts
 * it: no overlong forms, surrogates or values past U+10FFFF) and its
 * length, or 0 when the bytes are not one. */
static size_t utf8_decode(uint32_t *out, const unsigned char *s, size_t n)
{
    size_t length = s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF5 ? 4 : 0;
    if (length == 0 || length > n)
        return 0;
    uint32_t c = s[0] & (0x7F >> length);
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((length == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (length == 4 && (c < 0x10000 || c > 0x10FFFF)))
        return 0;
    *out = c;
    return length;
}

/* A string between quotes. Room is made once for the worst case (a byte
 * escaped as \u00XX): a check per piece was half of the writing. */
static void append_string(dl_json_writer *w, const char *s, size_t n)
{
    if (n > (SIZE_MAX - 2) / 6) {
        w->failed = 1;
        return;
    }
    if (reserve(w, 6 * n + 2) < 0)
        return;
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    char *o = w->data + w->size;
    *o++ = '"';
    while (p < end) {
        if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            *o++ = (char)*p++;
            continue;
        }
        uint32_t c = *p;
        size_t length = c < 0x80 ? 1 : utf8_decode(&c, p, (size_t)(end - p));
        if (length == 0) {
            w->failed = 1;
            return;
        }
        o = put_escape(o, c);
        p += length;
    }
    *o++ = '"';
    w->size = (size_t)(o - w->data);
}

/* Where a value goes in text: after a comma unless it is its container's
 * first, on its own indented line, behind its key. */
static void text_begin(dl_json_writer *w, const char *key)
{
    if (w->depth == 0)
        return;
    size_t indent = 2 * w->depth;
    if (reserve(w, indent + 2) < 0)
        return;
    char *o = w->data + w->size;
    if (w->count[w->depth - 1]++ > 0)
        *o++ = ',';
    *o++ = '\n';
    memset(o, ' ', indent);
    w->size = (size_t)(o + indent - w->data);
    if (key != NULL) {
        append_string(w, key, strlen(key));
        append(w, ": ", 2);
    }
}

/* A tree's new value into its container (which takes it), or as the root. */
static int tree_add(dl_json_writer *w, const char *key, json_t *value)
{
    if (value == NULL)
        w->failed = 1;
    else if (w->depth == 0 && w->root == NULL)
        w->root = value;
    else if (w->depth > 0 && json_is_object(w->open[w->depth - 1]) && key != NULL)
        w->failed |= json_object_set_new_nocheck(w->open[w->depth - 1], key, value) < 0;
    else if (w->depth > 0 && json_is_array(w->open[w->depth - 1]) && key == NULL)
        w->failed |= json_array_append_new(w->open[w->depth - 1], value) < 0;
    else {
        json_decref(value);
        w->failed = 1;
    }
    return w->failed ? -1 : 0;
}

static void open_container(dl_json_writer *w, const char *key, int object)
{
    if (w->failed)
        return;
    if (w->depth == WRITER_DEPTH_MAX) {
        w->failed = 1;
        return;
    }
    if (w->text) {
        text_begin(w, key);
        append(w, object ? "{" : "[", 1);
        w->object[w->depth] = (char)object;
        w->count[w->depth++] = 0;
        return;
    }
    json_t *container = object ? json_object() : json_array();
    if (tree_add(w, key, container) == 0)
        w->open[w->depth++] = container;
}

void dl_json_open_object(dl_json_writer *w, const char *key)
{
    open_container(w, key, 1);
}

void dl_json_open_array(dl_json_writer *w, const char *key)
{
    open_container(w, key, 0);
}

void dl_json_close(dl_json_writer *w)
{
    if (w->failed)
        return;
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    if (!w->text)
        return;
    /* An empty container closes where it opened: "{}", "[]". */
    if (w->count[w->depth] > 0 && reserve(w, 2 * w->depth + 1) == 0) {
        w->data[w->size++] = '\n';
        memset(w->data + w->size, ' ', 2 * w->depth);
        w->size += 2 * w->depth;
    }
    append(w, w->object[w->depth] ? "}" : "]", 1);
}

/* A scalar: its text (already JSON) or its tree value, which it takes. */
static void put_scalar(dl_json_writer *w, const char *key, const char *text, size_t n,
                       json_t *value)
{
    if (w->failed) {
        json_decref(value);
        return;
    }
    if (w->text) {
        text_begin(w, key);
        append(w, text, n);
        return;
    }
    tree_add(w, key, value);
}

void dl_json_put_stringn(dl_json_writer *w, const char *key, const char *s, size_t size)
{
    if (w->failed)
        return;
    if (s == NULL) {
        w->failed = 1;
        return;
    }
    if (w->text) {
        text_begin(w, key);
        append_string(w, s, size);
        return;
    }
    tree_add(w, key, json_stringn(s, size));
}

void dl_json_put_string(dl_json_writer *w, const char *key, const char *s)
{
    dl_json_put_stringn(w, key, s, s ? strlen(s) : 0);
}

void dl_json_put_string_or_null(dl_json_writer *w, const char *key, const char *s)
{
    if (s == NULL)
        dl_json_put_null(w, key);
    else
        dl_json_put_string(w, key, s);
}

void dl_json_put_int(dl_json_writer *w, const char *key, long long value)
{
    /* By hand: snprintf's cost showed in `log --json`, five numbers a version. */
    char digits[24], *p = digits + sizeof(digits);
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value
                                             : (unsigned long long)value;
    do
        *--p = (char)('0' + magnitude % 10);
    while ((magnitude /= 10) > 0);
    if (value < 0)
        *--p = '-';
    put_scalar(w, key, p, (size_t)(digits + sizeof(digits) - p),
               w->text || w->failed ? NULL : json_integer((json_int_t)value));
}

void dl_json_put_bool(dl_json_writer *w, const char *key, int value)
{
    put_scalar(w, key, value ? "true" : "false", value ? 4 : 5,
               w->text || w->failed ? NULL : json_boolean(value));
}

void dl_json_put_null(dl_json_writer *w, const char *key)
{
    put_scalar(w, key, "null", 4, w->text || w->failed ? NULL : json_null());
}

static int writer_failed(void)
{
    return dl_error_set(DL_ERROR, "cannot build JSON: out of memory, or a string that is not "
                                  "UTF-8");
}

int dl_json_writer_text(char **out, size_t *size, dl_json_writer *w)
{
    if (!w->text || w->failed || w->depth != 0 || reserve(w, 1) < 0)
        return writer_failed();
    w->data[w->size] = '\0';
    *out = w->data;
    *size = w->size;
    w->data = NULL;
    w->size = w->capacity = 0;
    return 0;
}

int dl_json_writer_json(json_t **out, dl_json_writer *w)
{
    if (w->text || w->failed || w->depth != 0 || w->root == NULL)
        return writer_failed();
    *out = w->root;
    w->root = NULL;
    return 0;
}
