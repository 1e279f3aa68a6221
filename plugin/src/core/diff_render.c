/*
 * dateline — the structural diff as JSON and as a terminal view.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/text.h"
#include "diff_internal.h"

/* ------------------------------------------------------------- JSON -- */

static json_t *index_json(size_t index)
{
    return index == DL_DIFF_NONE ? json_null() : json_integer((json_int_t)index);
}

static json_t *string_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

static json_t *words_json(const dl_diff_words *words)
{
    static const char *ops[] = {"equal", "insert", "delete"};
    json_t *array = json_array();
    for (size_t k = 0; array && k < words->count; k++)
        json_array_append_new(array, json_pack("{s:s,s:s%}", "op", ops[words->ops[k].op], "text",
                                               words->ops[k].text, words->ops[k].size));
    return array;
}

static json_t *block_json(const dl_diff_block *e)
{
    json_t *item = json_pack(
        "{s:s,s:o,s:o,s:I,s:I,s:o,s:o,s:f,s:b}", "kind", dl_diff_kind_name(e->kind),
        "old_index", index_json(e->old_index), "new_index", index_json(e->new_index),
        "old_count", (json_int_t)e->old_count, "new_count", (json_int_t)e->new_count,
        "old_range", e->old_count ? dl_json_range(&e->old_range) : json_null(), "new_range",
        e->new_count ? dl_json_range(&e->new_range) : json_null(), "similarity",
        (double)(long)(e->similarity * 1000 + 0.5) / 1000, "whitespace_only", e->whitespace_only);
    if (item && (e->kind == DL_DIFF_EDITED || e->kind == DL_DIFF_SPLIT || e->kind == DL_DIFF_MERGED))
        json_object_set_new(item, "words", words_json(&e->words));
    return item;
}

static json_t *text_json(const dl_diff_text *text)
{
    if (!text)
        return json_null();
    return json_pack("{s:o,s:o}", "old", string_or_null(text->old_text), "new",
                     string_or_null(text->new_text));
}

static json_t *quotation_json(const dl_diff_quotation *q)
{
    json_t *item = json_pack(
        "{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "change", dl_diff_quote_change_name(q->change), "old",
        string_or_null(q->old_text), "new", string_or_null(q->new_text), "speaker",
        string_or_null(q->speaker), "old_speaker", string_or_null(q->old_speaker), "old_block",
        index_json(q->old_block), "new_block", index_json(q->new_block));
    if (item && q->change == DL_DIFF_QUOTE_CHANGED)
        json_object_set_new(item, "words", words_json(&q->words));
    return item;
}

static json_t *stats_json(const dl_diff_stats *s)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
                     "unchanged", (json_int_t)s->unchanged, "added", (json_int_t)s->added,
                     "removed", (json_int_t)s->removed, "moved", (json_int_t)s->moved, "edited",
                     (json_int_t)s->edited, "split", (json_int_t)s->split, "merged",
                     (json_int_t)s->merged, "whitespace_only", (json_int_t)s->whitespace_only,
                     "quotations_changed", (json_int_t)s->quotations_changed,
                     "quotations_reattributed", (json_int_t)s->quotations_reattributed,
                     "quotations_added", (json_int_t)s->quotations_added, "quotations_removed",
                     (json_int_t)s->quotations_removed, "words_added",
                     (json_int_t)s->words_added, "words_removed", (json_int_t)s->words_removed,
                     "words_delta", (json_int_t)s->words_delta);
}

int dl_diff_to_json(json_t **out, const dl_diff *diff)
{
    char *summary = NULL;
    int error = dl_diff_summary(&summary, diff);
    if (error < 0)
        return error;
    json_t *blocks = json_array(), *quotations = json_array();
    for (size_t k = 0; blocks && k < diff->block_count; k++)
        json_array_append_new(blocks, block_json(&diff->blocks[k]));
    for (size_t k = 0; quotations && k < diff->quotation_count; k++)
        json_array_append_new(quotations, quotation_json(&diff->quotations[k]));
    json_t *json = json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:b}", "schema",
                             DL_JSON_SCHEMA, "blocks", blocks, "headline",
                             text_json(diff->headline), "dek", text_json(diff->dek), "byline",
                             text_json(diff->byline), "dateline", text_json(diff->dateline),
                             "quotations", quotations, "summary", summary, "stats",
                             stats_json(&diff->stats), "coarse", diff->coarse != 0);
    free(summary);
    if (!json)
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    *out = json;
    return 0;
}

/* --------------------------------------------------------- terminal -- */

/* Colours: deletions red, insertions green, quotations yellow, moves cyan,
 * unchanged paragraphs dim. Without colour, git's --word-diff=plain
 * markers keep the view readable in a log file or a pipe. */
typedef struct {
    FILE *out;
    int color;
    /* Each block's number within its kind, counted once per view: a
     * quotation names its block, and a rewrite has thousands of both. */
    size_t *old_numbers, *new_numbers;
} view;

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

/* Indentation of a block's text under its header line. */
#define INDENT "      "

static void style(view *v, const char *code)
{
    if (v->color)
        fputs(code, v->out);
}

/* Text, each line break (LF, CRLF or a lone CR, as dl_text_put reads
 * them) followed by the indentation; control characters are shown as
 * escapes by dl_text_put (an escape sequence in an article must not drive
 * the reader's terminal). */
static void put_text(view *v, const char *text, size_t size)
{
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (text[i] != '\n' && text[i] != '\r')
            continue;
        if (text[i] == '\r' && i + 1 < size && text[i + 1] == '\n')
            i++;
        dl_text_put(v->out, text + start, i + 1 - start, DL_TEXT_LINES);
        fputs(INDENT, v->out);
        start = i + 1;
    }
    dl_text_put(v->out, text + start, size - start, DL_TEXT_LINES);
}

/* Text on the line of its label: a block's first words, a summary. */
static void put_line_text(view *v, const char *text)
{
    dl_text_put(v->out, text, strlen(text), DL_TEXT_ONE_LINE);
}

static void put_marked(view *v, const char *text, size_t size, const char *color,
                       const char *open, const char *close)
{
    if (v->color) {
        fputs(color, v->out);
        put_text(v, text, size);
        fputs(RESET, v->out);
    } else {
        fputs(open, v->out);
        put_text(v, text, size);
        fputs(close, v->out);
    }
}

static void put_words(view *v, const dl_diff_words *words)
{
    for (size_t k = 0; k < words->count; k++) {
        const dl_diff_word *w = &words->ops[k];
        if (w->op == DL_DIFF_EQUAL)
            put_text(v, w->text, w->size);
        else if (w->op == DL_DIFF_DELETE)
            put_marked(v, w->text, w->size, RED, "[-", "-]");
        else
            put_marked(v, w->text, w->size, GREEN, "{+", "+}");
    }
}

/* "headline: Council [-approves-]{+rejects+} budget" */
static int put_event(view *v, const char *name, const dl_diff_text *event)
{
    if (!event)
        return 0;
    style(v, BOLD);
    fprintf(v->out, "%s %s:", name,
            !event->old_text ? "added" : !event->new_text ? "removed" : "changed");
    style(v, RESET);
    fputc(' ', v->out);
    const char *old = event->old_text ? event->old_text : "";
    const char *new = event->new_text ? event->new_text : "";
    dl_diff_words words = {NULL, 0};
    int error = dl_diff_words_compute(&words, old, strlen(old), new, strlen(new));
    if (error < 0)
        return error;
    put_words(v, &words);
    fputc('\n', v->out);
    dl_diff_words_dispose(&words);
    return 0;
}

static void put_label(view *v, dl_block_kind kind, size_t number)
{
    char label[64];
    dl_diff_block_label(label, sizeof(label), kind, number);
    fputs(label, v->out);
}

/* The label of block `index` of an article, counted as dl_diff_articles does. */
static void put_article_block(view *v, const dl_article *article, const size_t *numbers,
                              size_t index)
{
    if (!article || index >= article->block_count) {
        put_label(v, DL_BLOCK_PARAGRAPH, index + 1);
        return;
    }
    put_label(v, article->blocks[index].kind, numbers[index]);
}

static void put_quotation(view *v, const dl_diff_quotation *q, const dl_article *old,
                          const dl_article *new)
{
    style(v, YELLOW);
    style(v, BOLD);
    fprintf(v->out, "quotation %s", dl_diff_quote_change_name(q->change));
    if (q->change == DL_DIFF_QUOTE_REATTRIBUTED || q->speaker) {
        const char *old_speaker = q->old_speaker ? q->old_speaker : "nobody";
        const char *speaker = q->speaker ? q->speaker : "nobody";
        fputs(" (", v->out);
        if (q->change == DL_DIFF_QUOTE_REATTRIBUTED) {
            put_text(v, old_speaker, strlen(old_speaker));
            fputs(" → ", v->out);
        }
        put_text(v, speaker, strlen(speaker));
        fputc(')', v->out);
    }
    size_t block = q->change == DL_DIFF_QUOTE_REMOVED ? q->old_block : q->new_block;
    if (block == DL_NO_BLOCK) {
        fputs(", headline", v->out);
    } else {
        fputs(q->change == DL_DIFF_QUOTE_REMOVED ? ", was " : ", ", v->out);
        bool removed = q->change == DL_DIFF_QUOTE_REMOVED;
        put_article_block(v, removed ? old : new, removed ? v->old_numbers : v->new_numbers,
                          block);
    }
    style(v, RESET);
    fputs("\n" INDENT, v->out);
    style(v, YELLOW);
    fputs("“", v->out);
    style(v, RESET);
    if (q->change == DL_DIFF_QUOTE_CHANGED) {
        put_words(v, &q->words);
    } else {
        const char *text = q->change == DL_DIFF_QUOTE_REMOVED ? q->old_text : q->new_text;
        if (q->change == DL_DIFF_QUOTE_ADDED)
            put_marked(v, text, strlen(text), GREEN, "{+", "+}");
        else if (q->change == DL_DIFF_QUOTE_REMOVED)
            put_marked(v, text, strlen(text), RED, "[-", "-]");
        else
            put_text(v, text, strlen(text));
    }
    style(v, YELLOW);
    fputs("”", v->out);
    style(v, RESET);
    fputc('\n', v->out);
}

/* "¶3", "¶3–¶4" for the two blocks of a split or merge. */
static void put_side(view *v, dl_block_kind kind, size_t number, size_t count)
{
    put_label(v, kind, number);
    if (count == 2)
        fprintf(v->out, "–%zu", number + 1);
}

/* Runs of this many unchanged paragraphs or more print as one line. */
#define UNCHANGED_RUN 3

static size_t unchanged_run(const dl_diff *diff, size_t k)
{
    size_t end = k;
    while (end < diff->block_count && diff->blocks[end].kind == DL_DIFF_UNCHANGED)
        end++;
    return end - k;
}

static void put_block(view *v, const dl_diff_block *e, const dl_article *old,
                      const dl_article *new)
{
    switch (e->kind) {
    case DL_DIFF_UNCHANGED:
        style(v, DIM);
        put_label(v, e->new_kind, e->new_number);
        fputs("  ", v->out);
        put_line_text(v, new->blocks[e->new_index].first_words);
        fputc('\n', v->out);
        style(v, RESET);
        return;
    case DL_DIFF_MOVED:
        style(v, CYAN);
        put_label(v, e->old_kind, e->old_number);
        fputs(" → ", v->out);
        put_label(v, e->new_kind, e->new_number);
        fputs(" moved  ", v->out);
        put_line_text(v, new->blocks[e->new_index].first_words);
        fputc('\n', v->out);
        style(v, RESET);
        return;
    case DL_DIFF_ADDED:
    case DL_DIFF_REMOVED: {
        int added = e->kind == DL_DIFF_ADDED;
        const dl_block *b = added ? &new->blocks[e->new_index] : &old->blocks[e->old_index];
        style(v, BOLD);
        if (added)
            put_label(v, e->new_kind, e->new_number);
        else
            put_label(v, e->old_kind, e->old_number);
        fprintf(v->out, " %s\n" INDENT, added ? "added" : "removed");
        style(v, RESET);
        put_marked(v, b->span.text, b->span.size, added ? GREEN : RED,
                   added ? "{+" : "[-", added ? "+}" : "-]");
        fputc('\n', v->out);
        return;
    }
    case DL_DIFF_EDITED:
    case DL_DIFF_SPLIT:
    case DL_DIFF_MERGED:
        style(v, BOLD);
        if (e->kind == DL_DIFF_EDITED && e->old_index == e->new_index) {
            put_label(v, e->new_kind, e->new_number);
        } else {
            put_side(v, e->old_kind, e->old_number, e->old_count);
            fputs(" → ", v->out);
            put_side(v, e->new_kind, e->new_number, e->new_count);
        }
        fprintf(v->out, " %s\n" INDENT, dl_diff_kind_name(e->kind));
        style(v, RESET);
        put_words(v, &e->words);
        fputc('\n', v->out);
        return;
    }
}

int dl_diff_print(FILE *out, const dl_diff *diff, const dl_article *old,
                  const dl_article *new_article, int color)
{
    view v = {out, color, NULL, NULL};
    char *summary = NULL;
    int error = dl_diff_summary(&summary, diff);
    if (error < 0)
        return error;
    style(&v, BOLD);
    put_line_text(&v, summary); /* it names speakers, as the article has them */
    fputc('\n', out);
    style(&v, RESET);
    free(summary);

    if ((error = put_event(&v, "headline", diff->headline)) < 0 ||
        (error = put_event(&v, "dek", diff->dek)) < 0 ||
        (error = put_event(&v, "byline", diff->byline)) < 0 ||
        (error = put_event(&v, "dateline", diff->dateline)) < 0 ||
        (error = dl_diff__block_numbers(&v.old_numbers, old)) < 0 ||
        (error = dl_diff__block_numbers(&v.new_numbers, new_article)) < 0)
        goto done;
    for (size_t k = 0; k < diff->quotation_count; k++)
        put_quotation(&v, &diff->quotations[k], old, new_article);

    /* Nothing but unchanged paragraphs: the summary said it all. */
    if (diff->stats.unchanged == diff->block_count)
        goto done;
    fputc('\n', out);
    for (size_t k = 0; k < diff->block_count;) {
        size_t run = unchanged_run(diff, k);
        if (run >= UNCHANGED_RUN) {
            const dl_diff_block *first = &diff->blocks[k], *last = &diff->blocks[k + run - 1];
            style(&v, DIM);
            put_label(&v, first->new_kind, first->new_number);
            fputs(" … ", out);
            put_label(&v, last->new_kind, last->new_number);
            fprintf(out, "  unchanged (%zu blocks)\n", run);
            style(&v, RESET);
            k += run;
            continue;
        }
        put_block(&v, &diff->blocks[k], old, new_article);
        k++;
    }
done:
    free(v.old_numbers);
    free(v.new_numbers);
    return error;
}
