#include "dateline/json.h"

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
