/*
 * dateline — the history page of one article (dateline/web.h): the core's
 * facts as one JSON document, inlined with the page's assets.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/article.h"
#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/ops.h"
#include "dateline/text.h"
#include "dateline_version.h"
#include "web_assets.h"

static int oom(void)
{
    return dl_error_set(DL_ERROR, "out of memory building the report");
}

/* ------------------------------------------------------------- buffer -- */

/* A growing string: the page is assembled by appending. */
typedef struct {
    char *data;
    size_t size, capacity;
} buffer;

static int put(buffer *b, const char *text, size_t size)
{
    if (b->size + size + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->size + size + 1)
            capacity *= 2;
        char *grown = realloc(b->data, capacity);
        if (grown == NULL)
            return oom();
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, text, size);
    b->size += size;
    b->data[b->size] = '\0';
    return 0;
}

static int puts_(buffer *b, const char *text)
{
    return put(b, text, strlen(text));
}

/*
 * JSON for a <script type="application/json"> element: '<', '>' and '&'
 * are written \u003c, \u003e, \u0026, so that no "</script>" or "<!--" in
 * an article, a note or a name can end the element or open a comment. They
 * occur only inside JSON strings, where the escapes mean the same thing.
 */
static int put_json(buffer *b, const json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    if (text == NULL)
        return oom();
    int error = 0;
    const char *run = text;
    for (const char *p = text; *p && error == 0; p++) {
        const char *escape = *p == '<' ? "\\u003c" : *p == '>' ? "\\u003e" : *p == '&' ? "\\u0026" : NULL;
        if (escape == NULL)
            continue;
        if ((error = put(b, run, (size_t)(p - run))) == 0)
            error = puts_(b, escape);
        run = p + 1;
    }
    if (error == 0)
        error = puts_(b, run);
    free(text);
    return error;
}

/* Text in HTML element content or a double-quoted attribute. */
static int put_html(buffer *b, const char *text)
{
    int error = 0;
    for (const char *p = text; *p && error == 0; p++) {
        switch (*p) {
        case '<': error = puts_(b, "&lt;"); break;
        case '>': error = puts_(b, "&gt;"); break;
        case '&': error = puts_(b, "&amp;"); break;
        case '"': error = puts_(b, "&quot;"); break;
        default: error = put(b, p, 1);
        }
    }
    return error;
}

/* ---------------------------------------------------------- comparing -- */

static json_t *words_json(const dl_diff_words *words)
{
    json_t *ops = json_array();
    for (size_t i = 0; ops && i < words->count; i++) {
        const dl_diff_word *w = &words->ops[i];
        const char *op = w->op == DL_DIFF_EQUAL ? "=" : w->op == DL_DIFF_INSERT ? "+" : "-";
        if (json_array_append_new(ops, json_pack("[s, s#]", op, w->text, (int)w->size)) < 0) {
            json_decref(ops);
            ops = NULL;
        }
    }
    return ops;
}

static json_t *text_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
}

/* A span's text is not NUL-terminated: it points into the article's. */
static json_t *span_or_null(const dl_span *span)
{
    return span ? json_stringn(span->text, span->size) : json_null();
}

/* "¶3" for an entry's new side (its old side when it was removed). */
static void entry_label(char *out, size_t size, const dl_diff_block *e, int old_side)
{
    if (old_side)
        dl_diff_block_label(out, size, e->old_kind, e->old_number);
    else
        dl_diff_block_label(out, size, e->new_kind, e->new_number);
}

/* Where a quotation is, as people name it: its block's label, or "headline". */
static void quotation_where(char *out, size_t size, const dl_diff *diff, const dl_diff_quotation *q)
{
    int old_side = q->new_block == DL_DIFF_NONE;
    size_t block = old_side ? q->old_block : q->new_block;
    snprintf(out, size, "headline");
    for (size_t i = 0; block != DL_NO_BLOCK && i < diff->block_count; i++) {
        const dl_diff_block *e = &diff->blocks[i];
        size_t index = old_side ? e->old_index : e->new_index;
        size_t count = old_side ? e->old_count : e->new_count;
        if (index != DL_DIFF_NONE && block >= index && block < index + count) {
            entry_label(out, size, e, old_side);
            return;
        }
    }
}

static json_t *block_json(const dl_diff_block *e, const dl_article *old, const dl_article *new_article)
{
    char label[64], old_label[64];
    int removed = e->kind == DL_DIFF_REMOVED;
    entry_label(label, sizeof(label), e, removed);
    json_t *item = json_pack("{s:s, s:s}", "kind", dl_diff_kind_name(e->kind), "label", label);
    if (item == NULL)
        return NULL;
    int error = 0;
    if (e->kind == DL_DIFF_MOVED || e->kind == DL_DIFF_EDITED || e->kind == DL_DIFF_SPLIT ||
        e->kind == DL_DIFF_MERGED) {
        entry_label(old_label, sizeof(old_label), e, 1);
        error = json_object_set_new(item, "old_label", json_string(old_label));
    }
    /* Added and removed blocks are shown whole; a moved one by its first
     * words; unchanged ones only by label (the page folds them). */
    const dl_article *side = removed ? old : new_article;
    size_t index = removed ? e->old_index : e->new_index;
    if (error == 0 && (e->kind == DL_DIFF_ADDED || removed) && index < side->block_count)
        error = json_object_set_new(item, "text", json_stringn(side->blocks[index].span.text, side->blocks[index].span.size));
    if (error == 0 && e->kind == DL_DIFF_MOVED && index < side->block_count)
        error = json_object_set_new(item, "text", json_string(side->blocks[index].first_words));
    if (error == 0 && e->words.count > 0)
        error = json_object_set_new(item, "words", words_json(&e->words));
    if (error < 0) {
        json_decref(item);
        return NULL;
    }
    return item;
}

static json_t *quotation_json(const dl_diff *diff, const dl_diff_quotation *q)
{
    char where[64];
    quotation_where(where, sizeof(where), diff, q);
    json_t *item = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "change",
                             dl_diff_quote_change_name(q->change), "speaker",
                             text_or_null(q->speaker), "old_speaker", text_or_null(q->old_speaker),
                             "old", text_or_null(q->old_text), "new", text_or_null(q->new_text),
                             "where", where);
    if (item && q->words.count > 0 && json_object_set_new(item, "words", words_json(&q->words)) < 0) {
        json_decref(item);
        item = NULL;
    }
    return item;
}

/* The comparison object of dl_web_compare_json, from a diff already made. */
static int compare_json(json_t **out, const dl_diff *diff, const dl_article *old,
                        const dl_article *new_article, const char *old_id, const char *new_id)
{
    char *summary = NULL;
    int error = dl_diff_summary(&summary, diff);
    if (error < 0)
        return error;
    json_t *events = json_array(), *quotations = json_array(), *blocks = json_array();
    const char *what[] = {"headline", "dek", "byline", "dateline"};
    const dl_diff_text *texts[] = {diff->headline, diff->dek, diff->byline, diff->dateline};
    for (size_t i = 0; events && i < 4; i++)
        if (texts[i] && json_array_append_new(events, json_pack("{s:s, s:o, s:o}", "what", what[i],
                                                                "old", text_or_null(texts[i]->old_text),
                                                                "new", text_or_null(texts[i]->new_text))) < 0) {
            json_decref(events);
            events = NULL;
        }
    for (size_t i = 0; quotations && i < diff->quotation_count; i++)
        if (json_array_append_new(quotations, quotation_json(diff, &diff->quotations[i])) < 0) {
            json_decref(quotations);
            quotations = NULL;
        }
    for (size_t i = 0; blocks && i < diff->block_count; i++)
        if (json_array_append_new(blocks, block_json(&diff->blocks[i], old, new_article)) < 0) {
            json_decref(blocks);
            blocks = NULL;
        }
    json_t *json = NULL;
    if (events && quotations && blocks)
        json = json_pack("{s:s, s:s, s:s, s:b, s:O, s:O, s:O, s:{s:I, s:I, s:I}}", "old", old_id,
                         "new", new_id, "summary", summary, "coarse", diff->coarse, "events",
                         events, "quotations", quotations, "blocks", blocks, "stats",
                         "words_added", (json_int_t)diff->stats.words_added, "words_removed",
                         (json_int_t)diff->stats.words_removed, "words_delta",
                         (json_int_t)diff->stats.words_delta);
    json_decref(events);
    json_decref(quotations);
    json_decref(blocks);
    free(summary);
    if (json == NULL)
        return oom();
    *out = json;
    return 0;
}

int dl_web_compare_json(json_t **out, dl_history *history, const char *old_rev,
                        const char *new_rev)
{
    if (old_rev == NULL || new_rev == NULL)
        return dl_error_set(DL_EUSAGE, "a comparison needs two versions");
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    options.old_rev = old_rev;
    options.new_rev = new_rev;
    dl_ops_diff_result result;
    int error = dl_ops_diff(&result, history, &options);
    if (error < 0)
        return error;
    error = compare_json(out, result.diff, result.old_side.article, result.new_side.article,
                         result.old_side.id.hex, result.new_side.id.hex);
    dl_ops_diff_result_dispose(&result);
    return error;
}

/* ------------------------------------------------------------- report -- */

/* A version read and parsed; `article` NULL when it is not text. */
typedef struct {
    const dl_history_version *version;
    char *text;
    size_t size;
    dl_article *article;
} parsed;

static void parsed_dispose(parsed *p)
{
    free(p->text);
    dl_article_free(p->article);
    memset(p, 0, sizeof(*p));
}

static int parse_version(parsed *out, dl_history *history, const dl_history_version *v)
{
    parsed p = {.version = v};
    int error = dl_history_read_version(&p.text, &p.size, history, v);
    if (error == 0) {
        /* A version that is not text stays unparsed: the page says so. */
        if (dl_text_check(p.text, p.size, v->id.hex) == 0)
            error = dl_article_parse(&p.article, p.text, p.size);
        else
            dl_error_clear();
    }
    if (error < 0) {
        parsed_dispose(&p);
        return error;
    }
    *out = p;
    return 0;
}

/* The embedded comparisons: "OLD..NEW": {...}, as JSON members. */
typedef struct {
    buffer members;
    size_t count;
    size_t extra_bytes; /* spent on pairs that are not neighbours */
    size_t budget;
    int cut;            /* a pair was left out for the budget */
} pairs;

/* Embed the comparison of two parsed versions (nothing when either is not
 * text: the page says so). `budgeted`: only while the budget lasts. */
static int add_pair(pairs *ps, const parsed *old, const parsed *new_side, int budgeted)
{
    if (old->article == NULL || new_side->article == NULL)
        return 0;
    if (budgeted && ps->extra_bytes >= ps->budget) {
        ps->cut = 1;
        return 0;
    }
    dl_diff *diff = NULL;
    json_t *json = NULL;
    int error = dl_diff_articles(&diff, old->article, new_side->article, NULL);
    if (error == 0)
        error = compare_json(&json, diff, old->article, new_side->article,
                             old->version->id.hex, new_side->version->id.hex);
    dl_diff_free(diff);
    size_t before = ps->members.size;
    char key[2 * DL_HISTORY_ID_HEXSIZE + 8];
    snprintf(key, sizeof(key), "%s\"%s..%s\":", ps->count ? "," : "", old->version->id.hex,
             new_side->version->id.hex);
    if (error == 0 && (error = puts_(&ps->members, key)) == 0 &&
        (error = put_json(&ps->members, json)) == 0) {
        ps->count++;
        if (budgeted)
            ps->extra_bytes += ps->members.size - before;
    }
    json_decref(json);
    return error;
}

/* Versions [first, last] of the log (newest first) that the page shows. */
typedef struct {
    size_t first, last;
} range;

static int find_version(size_t *out, const dl_history_log *log, const dl_history_id *id)
{
    for (size_t i = 0; i < log->count; i++)
        if (strcmp(log->versions[i].id.hex, id->hex) == 0) {
            *out = i;
            return 0;
        }
    return dl_error_set(DL_ENOTFOUND, "version %.*s is not in the history of the article",
                        DL_HISTORY_ID_SHORTSIZE, id->hex);
}

static int shown_range(range *out, dl_history *history, const dl_history_log *log,
                       const dl_web_report_options *opts)
{
    if (log->count == 0)
        return dl_error_set(DL_ENOTFOUND,
                            "%s has no recorded versions yet; record one with "
                            "'dateline snapshot %s'",
                            dl_history_key(history), dl_history_key(history));
    dl_history_id to, from;
    int error = dl_history_resolve(&to, history, opts->to ? opts->to : "@");
    if (error == 0)
        error = find_version(&out->first, log, &to);
    out->last = log->count - 1;
    if (error == 0 && opts->from != NULL &&
        (error = dl_history_resolve(&from, history, opts->from)) == 0 &&
        (error = find_version(&out->last, log, &from)) == 0 && out->last < out->first)
        error = dl_error_set(DL_EINVALID, "--from %s is newer than --to %s", opts->from,
                             opts->to ? opts->to : "@");
    if (error == 0 && opts->max_versions > 0 && out->last - out->first >= opts->max_versions)
        out->last = out->first + opts->max_versions - 1;
    return error;
}

/*
 * Pass 1, oldest to newest: each version against the one before it (always)
 * and against every earlier annotated version (while the budget lasts),
 * keeping only the annotated versions parsed. Pass 2, newest back: each
 * version against the newest, while the budget lasts.
 */
static int embed_pairs(pairs *ps, dl_history *history, const dl_history_log *log, range r,
                       const parsed *newest)
{
    parsed current = {0}, neighbour = {0};
    const parsed *previous = NULL; /* &neighbour, or an annotated version */
    parsed *annotated = calloc(r.last - r.first + 1, sizeof(*annotated));
    size_t annotated_count = 0;
    int error = annotated ? 0 : oom();
    for (size_t i = r.last + 1; error == 0 && i-- > r.first;) {
        const dl_history_version *v = &log->versions[i];
        if ((error = parse_version(&current, history, v)) < 0)
            break;
        if (previous != NULL)
            error = add_pair(ps, previous, &current, 0);
        for (size_t k = 0; error == 0 && v->note != NULL && k < annotated_count; k++)
            error = add_pair(ps, &annotated[k], &current, 1);
        parsed_dispose(&neighbour);
        if (v->note != NULL) {
            /* Kept for the annotated versions after it. */
            annotated[annotated_count] = current;
            previous = &annotated[annotated_count++];
        } else {
            neighbour = current;
            previous = &neighbour;
        }
        memset(&current, 0, sizeof(current));
    }
    parsed_dispose(&neighbour);
    parsed_dispose(&current);
    for (size_t k = 0; k < annotated_count; k++)
        parsed_dispose(&annotated[k]);
    free(annotated);

    /* The newest against itself is no comparison, against its neighbour
     * it is embedded already, and an annotated newest has its annotated
     * pairs: start two back, and skip annotated ones when it is annotated. */
    for (size_t i = r.first + 2; error == 0 && i <= r.last; i++) {
        const dl_history_version *v = &log->versions[i];
        if (v->note != NULL && newest->version->note != NULL)
            continue;
        if (ps->extra_bytes >= ps->budget) {
            ps->cut = 1;
            break;
        }
        parsed p;
        if ((error = parse_version(&p, history, v)) == 0)
            error = add_pair(ps, &p, newest, 1);
        parsed_dispose(&p);
    }
    return error;
}

/* The article at the newest version shown: its headline and dek, and each
 * block (the byline is one) with its label and, for the latest version,
 * its blame. */
/* `looked_back`: how many versions blame looks back through (the page's
 * own, when it shows the newest of a longer history: the oldest of them is
 * credited with anything older, and the page says "or earlier"); 0: all. */
static int article_json(json_t **out, dl_history *history, const parsed *newest, int is_latest,
                        size_t looked_back)
{
    const dl_article *a = newest->article;
    json_t *blocks = json_array(), *blame_json = NULL;
    dl_blame *blame = NULL;
    dl_diff *self = NULL;
    int error = blocks ? 0 : oom();
    if (error == 0 && is_latest) {
        dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
        options.content = newest->text;
        options.content_size = newest->size;
        options.max_count = looked_back;
        if ((error = dl_ops_blame(&blame, history, &options)) == 0)
            error = dl_blame_to_json(&blame_json, blame);
    }
    /* Labels are numbered as the structural diff numbers blocks; the diff
     * of the article with itself gives every block its number. */
    if (error == 0)
        error = dl_diff_articles(&self, a, a, NULL);
    json_t *lines = json_object_get(blame_json, "blocks");
    for (size_t i = 0; error == 0 && i < self->block_count; i++) {
        const dl_diff_block *e = &self->blocks[i];
        if (e->new_index >= a->block_count)
            continue;
        char label[64];
        entry_label(label, sizeof(label), e, 0);
        json_t *origin = json_null();
        for (size_t k = 0; k < json_array_size(lines); k++) {
            json_t *line = json_array_get(lines, k);
            if (json_integer_value(json_object_get(line, "index")) == (json_int_t)e->new_index)
                origin = json_incref(json_object_get(line, "version"));
        }
        if (json_array_append_new(blocks, json_pack("{s:s, s:s#, s:o}", "label", label, "text",
                                                     a->blocks[e->new_index].span.text,
                                                     a->blocks[e->new_index].span.size,
                                                     "blame", origin)) < 0)
            error = oom();
    }
    json_t *json = NULL;
    if (error == 0 &&
        (json = json_pack("{s:s, s:o, s:o, s:o, s:b, s:I, s:b}", "id", newest->version->id.hex,
                          "headline", span_or_null(a->headline), "dek", span_or_null(a->dek),
                          "blocks",
                          json_incref(blocks), "blamed", is_latest, "words",
                          (json_int_t)a->stats.words, "blame_looked_back",
                          looked_back != 0)) == NULL)
        error = oom();
    json_decref(blocks);
    json_decref(blame_json);
    dl_blame_free(blame);
    dl_diff_free(self);
    if (error == 0)
        *out = json;
    return error;
}

/* Put the template, with each {{name}} replaced by what fill() writes. */
typedef int (*filler)(buffer *b, const char *name, size_t name_size, void *payload);

static int expand(buffer *b, const char *template, filler fill, void *payload)
{
    const char *p = template, *open;
    int error = 0;
    while (error == 0 && (open = strstr(p, "{{")) != NULL) {
        const char *close = strstr(open, "}}");
        if (close == NULL)
            break;
        if ((error = put(b, p, (size_t)(open - p))) == 0)
            error = fill(b, open + 2, (size_t)(close - open - 2), payload);
        p = close + 2;
    }
    return error ? error : puts_(b, p);
}

typedef struct {
    const char *headline, *key;
    const char *api_base;
    buffer *data;
} page;

static int fill_page(buffer *b, const char *name, size_t size, void *payload)
{
    const page *pg = payload;
#define IS(word) (size == strlen(word) && strncmp(name, word, size) == 0)
    if (IS("title")) {
        int error = put_html(b, pg->headline);
        if (error == 0)
            error = puts_(b, " — ");
        return error ? error : put_html(b, pg->key);
    }
    if (IS("connect"))
        /* Self-contained: no request of any kind; served: its own origin. */
        return puts_(b, pg->api_base ? "'self'" : "'none'");
    if (IS("style"))
        return put(b, (const char *)dl_web_asset_report_css, dl_web_asset_report_css_size);
    if (IS("script"))
        return put(b, (const char *)dl_web_asset_report_js, dl_web_asset_report_js_size);
    if (IS("data"))
        return put(b, pg->data->data, pg->data->size);
#undef IS
    return dl_error_set(DL_ERROR, "the page template names an unknown part '%.*s'", (int)size,
                        name);
}

int dl_web_report_render(char **html_out, size_t *len_out, dl_history *history,
                         const dl_web_report_options *opts)
{
    static const dl_web_report_options defaults = DL_WEB_REPORT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_history_log *log = NULL;
    json_t *log_json = NULL, *article = NULL;
    parsed newest = {0};
    pairs ps = {.budget = opts->budget ? opts->budget : DL_WEB_REPORT_DEFAULT_BUDGET};
    buffer data = {0}, html = {0};
    range r = {0, 0};

    int error = dl_ops_log(&log, history, NULL);
    if (error == 0)
        error = shown_range(&r, history, log, opts);
    if (error == 0) {
        /* The log JSON of the versions shown: a view into the whole log. */
        dl_history_log shown = {log->versions + r.first, r.last - r.first + 1};
        error = dl_ops_log_json(&log_json, history, &shown);
    }
    if (error == 0)
        error = parse_version(&newest, history, &log->versions[r.first]);
    if (error == 0 && newest.article == NULL)
        error = dl_error_set(DL_EINVALID, "version %.*s is not UTF-8 text; report up to a text "
                             "version with --to", DL_HISTORY_ID_SHORTSIZE,
                             log->versions[r.first].id.hex);
    if (error == 0)
        error = article_json(&article, history, &newest, r.first == 0,
                             r.last + 1 < log->count ? r.last - r.first + 1 : 0);
    if (error == 0)
        error = embed_pairs(&ps, history, log, r, &newest);

    if (error == 0) {
        /* How many versions the history holds and how many are newer than
         * those shown, for the page to say when it shows only some
         * (--from/--to, or serve's pages) and to link the pages around. */
        json_t *head = json_pack("{s:i, s:s, s:s, s:o, s:b, s:I, s:I, s:I, s:I}", "schema",
                                 DL_JSON_SCHEMA, "generator", DL_NAME " " DL_VERSION, "key",
                                 dl_history_key(history), "api_base",
                                 opts->api_base ? json_string(opts->api_base) : json_null(),
                                 "pairs_cut", ps.cut, "budget", (json_int_t)ps.budget,
                                 "versions_total", (json_int_t)log->count, "versions_newer",
                                 (json_int_t)r.first, "page_versions",
                                 (json_int_t)opts->max_versions);
        /* The object is written member by member: the pairs are already
         * JSON text, made one at a time to bound the memory. */
        if (head == NULL || json_object_set(head, "log", log_json) < 0 ||
            json_object_set(head, "article", article) < 0)
            error = oom();
        if (error == 0 && (error = put_json(&data, head)) == 0) {
            data.data[--data.size] = '\0'; /* reopen the object: drop its '}' */
            if ((error = puts_(&data, ",\"pairs\":{")) == 0 &&
                (error = put(&data, ps.members.data ? ps.members.data : "", ps.members.size)) == 0)
                error = puts_(&data, "}}");
        }
        json_decref(head);
    }
    if (error == 0) {
        const dl_span *headline = newest.article->headline;
        char *title = headline ? strndup(headline->text, headline->size) : NULL;
        page pg = {title ? title : "(no headline)", dl_history_key(history), opts->api_base,
                   &data};
        error = headline && !title ? oom() : expand(&html, (const char *)dl_web_asset_report_html,
                                                    fill_page, &pg);
        free(title);
    }

    json_decref(log_json);
    json_decref(article);
    parsed_dispose(&newest);
    dl_history_log_free(log);
    free(ps.members.data);
    free(data.data);
    if (error < 0) {
        free(html.data);
        return error;
    }
    *html_out = html.data;
    *len_out = html.size;
    return 0;
}
