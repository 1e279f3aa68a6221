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
    json_t *json = json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "schema", DL_JSON_SCHEMA,
                             "headline", span_json(article->headline), "dek",
                             span_json(article->dek), "byline", span_json(article->byline),
                             "dateline", dateline_json(article), "blocks", blocks_json(article),
                             "quotations", quotations_json(article), "annotations",
                             annotations_json(article), "stats", stats_json(&article->stats));
    if (!json)
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    *out = json;
    return 0;
}
