/*
 * dateline — blame: which version last changed each block and quotation,
 * and which quotations changed since the latest annotated version (see
 * dateline/blame.h for the rules).
 *
 * Only the public history API is used: versions are listed with
 * dl_history_log_read and read with dl_history_read_version, so blame
 * does not depend on how the store keeps them.
 */
#include "dateline/blame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/text.h"
#include "diff_internal.h"

/* The origin of a block or quotation that no version holds yet. */
#define NOT_RECORDED SIZE_MAX

static int oom(void)
{
    return dl_error_set(DL_ERROR, "out of memory");
}

static char *dup_or_null(const char *s, int *error)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        *error = oom();
    return copy;
}

/* A deep copy of a version's metadata (the change summary is not kept). */
static int copy_version(dl_history_version *out, const dl_history_version *v)
{
    int error = 0;
    *out = *v;
    memset(&out->change, 0, sizeof(out->change));
    out->author_name = dup_or_null(v->author_name, &error);
    out->author_email = dup_or_null(v->author_email, &error);
    out->note = dup_or_null(v->note, &error);
    return error;
}

static void version_dispose(dl_history_version *v)
{
    free(v->author_name);
    free(v->author_email);
    free(v->note);
}

/* ---------------------------------------------------------------- keys -- */

/* A block's or quotation's text reduced to a hash of its whitespace-
 * normalised form (FNV-1a): runs of whitespace count as one space, and
 * leading and trailing whitespace is ignored, as the structural diff
 * compares blocks. So a re-wrapped paragraph is the same paragraph. */
static uint64_t words_hash(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t length;
    uint64_t h = 1469598103934665603ULL;
    int pending_space = 0, started = 0;
    for (size_t i = 0; i < n;) {
        /* ASCII, most bytes, needs no decoding (the diff's rule for it). */
        int space = s[i] < 0x80 ? (length = 1, s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
                                : dl_diff__is_space_at(s + i, n - i, &length);
        if (space) {
            pending_space = started;
            i += length;
            continue;
        }
        if (pending_space)
            h = (h ^ ' ') * 1099511628211ULL;
        pending_space = 0;
        started = 1;
        h = (h ^ s[i++]) * 1099511628211ULL;
    }
    return h;
}

/* A text of a version and the index (on the chain) of the version that
 * last changed it. */
typedef struct {
    uint64_t hash;
    size_t origin;
} origin_key;

static int compare_keys(const void *a, const void *b)
{
    const origin_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->origin > y->origin) - (x->origin < y->origin);
}

/* The origin of a text among `keys` (sorted), or `absent`. When a version
 * holds the same text twice, the older origin wins. */
static size_t origin_of(const origin_key *keys, size_t count, uint64_t hash, size_t absent)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (keys[mid].hash < hash)
            low = mid + 1;
        else
            high = mid;
    }
    return low < count && keys[low].hash == hash ? keys[low].origin : absent;
}

/* ------------------------------------------------------------ versions -- */

/* The latest version's blocks and quotations with their origins, as keys
 * sorted by hash, and its front matter's. */
typedef struct {
    origin_key *blocks, *quotes;
    size_t block_count, quote_count;
    origin_key front[DL_BLAME_FRONT_PARTS];
    int has_front[DL_BLAME_FRONT_PARTS];
} version_keys;

/* The span of a front-matter part of `article`, or NULL when it has none.
 * A byline after a blank line is a block, blamed as one. */
static const dl_span *front_span(const dl_article *article, dl_blame_front_part part)
{
    if (part == DL_BLAME_HEADLINE)
        return article->headline;
    if (part == DL_BLAME_DEK)
        return article->dek;
    for (size_t i = 0; article->byline && i < article->block_count; i++)
        if (article->blocks[i].kind == DL_BLOCK_BYLINE &&
            article->blocks[i].span.range.start_byte == article->byline->range.start_byte)
            return NULL;
    return article->byline;
}

static void keys_dispose(version_keys *v)
{
    free(v->blocks);
    free(v->quotes);
    memset(v, 0, sizeof(*v));
}

/* ---------------------------------------------------------------- walk -- */

/*
 * The rule of dateline/blame.h, walked from the latest version back: a
 * text of the latest version (a block's, a quotation's words, a front
 * part's) was last changed by the oldest version of the unbroken run of
 * versions, back from the latest, that hold it. So the walk follows the
 * latest version's texts back until each run ends.
 *
 * Modelling every version was nearly all of blame's cost, and most of it
 * was spent on blocks the version before held as they were. Two versions
 * next to each other differ in one stretch of bytes (from the first byte
 * that differs to the last), and the parser reads text locally: blocks end
 * at blank lines, and the scanner looks ahead at most into the next
 * paragraph (grammar.js). So where a version held a text, the version
 * before holds it too unless the edit between them reaches the blocks
 * next to it (see near_blocks). A version is modelled only when, for some text still
 * followed, its edit comes near every place the walk knew it at; the
 * others are compared byte for byte with the next one and no more.
 */

/* grammar.js's PREFACE_MAX: up to this many blocks after the bylines and
 * timestamps may come before the lead, and whether an opening mark right
 * after the lead's dateline opens a quotation depends on which block is
 * the lead. So a quotation in a block that may be the lead, or in the one
 * after, is near any edit from the start of the article to the end of the
 * block after that. */
#define PREFACE_MAX 3

/* What a text is: a block, a quotation's words, or front part (+ part). */
enum { TEXT_BLOCK, TEXT_QUOTE, TEXT_FRONT };

/* A place where the version modelled last held a text, carried across the
 * edits since (in the bytes of the version the walk is at). */
typedef struct {
    int kind;
    uint64_t hash;
    size_t from, to; /* the bytes an edit must not touch (both ends count) */
    int held;        /* 0: an edit came near it since */
} sighting;

/* A text of the latest version, and the oldest version of its run. */
typedef struct {
    int kind;
    uint64_t hash;
    int open;      /* the run may go on into older versions */
    size_t origin; /* once closed: the index (on the chain) where it starts */
} followed;

typedef struct {
    sighting *seen; /* sorted by kind and hash */
    size_t seen_count;
    followed *texts; /* the latest version's, sorted like `seen` */
    size_t text_count, open;
} walk_state;

static int compare_texts(int kind_a, uint64_t hash_a, int kind_b, uint64_t hash_b)
{
    if (kind_a != kind_b)
        return kind_a < kind_b ? -1 : 1;
    return (hash_a > hash_b) - (hash_a < hash_b);
}

static int compare_sightings(const void *a, const void *b)
{
    const sighting *x = a, *y = b;
    return compare_texts(x->kind, x->hash, y->kind, y->hash);
}

static void walk_dispose(walk_state *w)
{
    free(w->seen);
    free(w->texts);
    memset(w, 0, sizeof(*w));
}

/* Where block `i` of `a` starts, or 0 before the first block. */
static size_t block_from(const dl_article *a, size_t i)
{
    return i < a->block_count ? a->blocks[i].span.range.start_byte : 0;
}

/* Where block `i` of `a` ends, or the end of the text (`size`) past the last. */
static size_t block_to(const dl_article *a, size_t i, size_t size)
{
    return i < a->block_count ? a->blocks[i].span.range.end_byte : size;
}

/* Whether block `i` of `a` may continue a quotation left open in the
 * block before: a continued paragraph opens with a quote mark. Any first
 * byte but an ASCII letter or digit might be one, so only those say no. */
static int may_continue(const dl_article *a, size_t i)
{
    const dl_span *span = &a->blocks[i].span;
    unsigned char c = span->size > 0 ? (unsigned char)span->text[0] : 0;
    return !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

/* The bytes an edit must leave alone for blocks `first` to `last` of `a`
 * to read as they do: they, the paragraphs a quotation may join them to,
 * and the blank lines around, up to the neighbours' last and first bytes
 * (the scanner looks into the next paragraph to tell whether a quotation
 * runs on into it: it does only if that one opens with a mark). */
static void near_blocks(sighting *s, const dl_article *a, size_t size, size_t first, size_t last)
{
    while (first > 0 && first < a->block_count && may_continue(a, first))
        first--;
    while (last + 1 < a->block_count && may_continue(a, last + 1))
        last++;
    s->from = first > 0 ? block_to(a, first - 1, size) : 0;
    s->to = last + 1 < a->block_count ? block_from(a, last + 1) : size;
}

/* Where `a` (`size` bytes) holds each of its texts, sorted. */
static int sightings_of(sighting **out, size_t *count, const dl_article *a, size_t size)
{
    sighting *seen =
        calloc(a->block_count + a->quotation_count + DL_BLAME_FRONT_PARTS, sizeof(*seen));
    if (!seen)
        return oom();
    size_t n = 0, front_blocks = 0;
    while (front_blocks < a->block_count && (a->blocks[front_blocks].kind == DL_BLOCK_BYLINE ||
                                             a->blocks[front_blocks].kind == DL_BLOCK_TIMESTAMP))
        front_blocks++;
    size_t head = front_blocks + PREFACE_MAX; /* the last block that may be the lead */
    for (size_t i = 0; i < a->block_count; i++) {
        const dl_span *span = &a->blocks[i].span;
        sighting *s = &seen[n++];
        *s = (sighting){TEXT_BLOCK, words_hash(span->text, span->size), 0, 0, 1};
        near_blocks(s, a, size, i, i);
    }
    for (size_t i = 0; i < a->quotation_count; i++) {
        const dl_quotation *q = &a->quotations[i];
        /* A quotation of the headline or dek is in the head, before block 0. */
        size_t first = q->block == DL_NO_BLOCK ? 0 : q->block, last = first;
        while (last + 1 < a->block_count && block_from(a, last + 1) < q->span.range.end_byte)
            last++;
        sighting *s = &seen[n++];
        *s = (sighting){TEXT_QUOTE, words_hash(q->text, strlen(q->text)), 0, 0, 1};
        near_blocks(s, a, size, first, last);
        if (first <= head + 1) {
            s->from = 0;
            size_t to = block_to(a, head + 2, size);
            s->to = to > s->to ? to : s->to;
        }
    }
    /* The front matter is the first lines, up to the first blank line;
     * whether a byline is front matter depends on the block after. */
    for (int part = 0; part < DL_BLAME_FRONT_PARTS; part++) {
        const dl_span *span = front_span(a, (dl_blame_front_part)part);
        if (span)
            seen[n++] = (sighting){TEXT_FRONT + part, words_hash(span->text, span->size), 0,
                                   block_to(a, 0, size), 1};
    }
    qsort(seen, n, sizeof(*seen), compare_sightings);
    *out = seen;
    *count = n;
    return 0;
}

/*
 * Take the places of the texts of `a` (`size` bytes), the version before
 * the one at chain index `newer`. The first call (the latest version)
 * follows its texts; after that, a text followed that `a` does not hold
 * ends its run at `newer`.
 */
static int walk_model(walk_state *w, const dl_article *a, size_t size, size_t newer)
{
    sighting *seen = NULL;
    size_t count = 0;
    int error = sightings_of(&seen, &count, a, size);
    if (error < 0)
        return error;
    if (w->texts == NULL) {
        if (!(w->texts = calloc(count + 1, sizeof(*w->texts)))) {
            free(seen);
            return oom();
        }
        for (size_t i = 0; i < count; i++)
            if (i == 0 || compare_sightings(&seen[i - 1], &seen[i]) != 0)
                w->texts[w->text_count++] = (followed){seen[i].kind, seen[i].hash, 1, 0};
        w->open = w->text_count;
    } else {
        size_t j = 0;
        for (size_t t = 0; t < w->text_count; t++) {
            followed *f = &w->texts[t];
            while (j < count && compare_texts(seen[j].kind, seen[j].hash, f->kind, f->hash) < 0)
                j++;
            if (f->open && !(j < count && compare_texts(seen[j].kind, seen[j].hash, f->kind,
                                                        f->hash) == 0)) {
                f->open = 0;
                f->origin = newer;
                w->open--;
            }
        }
    }
    free(w->seen);
    w->seen = seen;
    w->seen_count = count;
    return 0;
}

/*
 * Carry the places known across an edit that replaced bytes `start` to
 * `newer_end` of the newer version with bytes `start` to `older_end` of
 * the older. 1: every text still followed has a place the edit left
 * alone, so the older version holds it too; 0: the older one must be
 * modelled.
 */
static int walk_edit(walk_state *w, size_t start, size_t newer_end, size_t older_end)
{
    for (size_t i = 0; i < w->seen_count; i++) {
        sighting *s = &w->seen[i];
        if (!s->held)
            continue;
        if (start <= s->to && newer_end >= s->from) {
            s->held = 0;
        } else if (s->from > newer_end) {
            s->from = s->from - newer_end + older_end;
            s->to = s->to - newer_end + older_end;
        }
    }
    size_t j = 0;
    for (size_t t = 0; t < w->text_count; t++) {
        const followed *f = &w->texts[t];
        while (j < w->seen_count &&
               compare_texts(w->seen[j].kind, w->seen[j].hash, f->kind, f->hash) < 0)
            j++;
        int held = 0;
        for (size_t k = j; k < w->seen_count && !held &&
                           compare_texts(w->seen[k].kind, w->seen[k].hash, f->kind, f->hash) == 0;
             k++)
            held = w->seen[k].held;
        if (f->open && !held)
            return 0;
    }
    return 1;
}

/* The origin found for a text of the latest version. */
static size_t origin_in(const walk_state *w, int kind, uint64_t hash)
{
    size_t low = 0, high = w->text_count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (compare_texts(w->texts[mid].kind, w->texts[mid].hash, kind, hash) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return w->texts[low].origin; /* every text of the latest version is followed */
}

/* The keys of the latest version, `article`, with the origins the walk found. */
static int make_keys(version_keys *v, const dl_article *article, const walk_state *w)
{
    v->block_count = article->block_count;
    v->quote_count = article->quotation_count;
    v->blocks = calloc(v->block_count + 1, sizeof(*v->blocks));
    v->quotes = calloc(v->quote_count + 1, sizeof(*v->quotes));
    if (!v->blocks || !v->quotes)
        return oom();
    for (size_t i = 0; i < v->block_count; i++) {
        const dl_span *span = &article->blocks[i].span;
        uint64_t h = words_hash(span->text, span->size);
        v->blocks[i] = (origin_key){h, origin_in(w, TEXT_BLOCK, h)};
    }
    for (size_t i = 0; i < v->quote_count; i++) {
        uint64_t h = words_hash(article->quotations[i].text, strlen(article->quotations[i].text));
        v->quotes[i] = (origin_key){h, origin_in(w, TEXT_QUOTE, h)};
    }
    qsort(v->blocks, v->block_count, sizeof(origin_key), compare_keys);
    qsort(v->quotes, v->quote_count, sizeof(origin_key), compare_keys);
    for (int part = 0; part < DL_BLAME_FRONT_PARTS; part++) {
        const dl_span *span = front_span(article, (dl_blame_front_part)part);
        v->has_front[part] = span != NULL;
        if (span) {
            uint64_t h = words_hash(span->text, span->size);
            v->front[part] = (origin_key){h, origin_in(w, TEXT_FRONT + part, h)};
        }
    }
    return 0;
}

/* ------------------------------------------------------------- chain -- */

/* The first-parent chain from the latest version, oldest first, as indexes
 * into the log. The log lists children before parents and a linear history
 * in order, so the parent is almost always the next entry. */
static int first_parent_chain(size_t **out, size_t *count, const dl_history_log *log)
{
    size_t *chain = malloc((log->count + 1) * sizeof(*chain));
    if (!chain)
        return oom();
    size_t n = 0;
    for (size_t k = 0; log->count > 0 && n < log->count;) {
        chain[n++] = k;
        const dl_history_version *v = &log->versions[k];
        if (v->parent_count == 0)
            break;
        size_t next = log->count;
        if (k + 1 < log->count && strcmp(log->versions[k + 1].id.hex, v->parent.hex) == 0) {
            next = k + 1;
        } else {
            for (size_t p = 0; p < log->count; p++)
                if (strcmp(log->versions[p].id.hex, v->parent.hex) == 0)
                    next = p;
        }
        if (next == log->count)
            break; /* the parent is not in the log: the chain starts here */
        k = next;
    }
    for (size_t i = 0; i < n / 2; i++) {
        size_t t = chain[i];
        chain[i] = chain[n - 1 - i];
        chain[n - 1 - i] = t;
    }
    *out = chain;
    *count = n;
    return 0;
}

/* How many bytes `a` and `b` have in common at the start and, after that,
 * at the end. Compared a chunk at a time first: memcmp is many times
 * faster than a loop over bytes, and most of two versions is the same. */
static void common_ends(size_t *start, size_t *tail, const char *a, size_t a_size, const char *b,
                        size_t b_size)
{
    enum { CHUNK = 64 };
    size_t shorter = a_size < b_size ? a_size : b_size, s = 0, t = 0;
    while (s + CHUNK <= shorter && memcmp(a + s, b + s, CHUNK) == 0)
        s += CHUNK;
    while (s < shorter && a[s] == b[s])
        s++;
    while (t + CHUNK <= shorter - s &&
           memcmp(a + a_size - t - CHUNK, b + b_size - t - CHUNK, CHUNK) == 0)
        t += CHUNK;
    while (t < shorter - s && a[a_size - 1 - t] == b[b_size - 1 - t])
        t++;
    *start = s;
    *tail = t;
}

/*
 * Walk the chain from the latest version back, leaving the latest text
 * version's keys in `*latest` and counting the versions walked and read
 * (those whose content is unlike the text version before). A version that
 * is not text (flagged when it was recorded) has no paragraphs: it is
 * stepped over, and what the text versions on either side share stays with
 * the older one. A version whose content is the next one's continues every
 * run. The versions modelled are parsed incrementally, each against the
 * one modelled before.
 */
static int walk_history(version_keys *latest, size_t *walked, size_t *read, dl_history *history,
                        dl_article_parser *parser, const dl_history_log *log, const size_t *chain,
                        size_t count)
{
    walk_state w = {0};
    dl_article *newest = NULL; /* the latest text version's model */
    char *newer = NULL, *older = NULL;
    size_t newer_size = 0, older_size = 0;
    size_t oldest = 0; /* the oldest text version read so far */
    int error = 0;
    for (size_t n = count; n-- > 0 && error == 0;) {
        const dl_history_version *v = &log->versions[chain[n]];
        if (v->change.not_text)
            continue;
        if ((error = dl_history_read_version(&older, &older_size, history, v)) < 0)
            break;
        if (newest == NULL) {
            if ((error = dl_article_parser_parse(&newest, parser, older, older_size)) == 0)
                error = walk_model(&w, newest, older_size, n);
        } else if (older_size != newer_size || memcmp(older, newer, older_size) != 0) {
            ++*read; /* the newer one: its content is unlike this one's */
            size_t start, tail;
            common_ends(&start, &tail, older, older_size, newer, newer_size);
            if (w.open > 0 && !walk_edit(&w, start, newer_size - tail, older_size - tail)) {
                dl_article *article = NULL;
                if ((error = dl_article_parser_parse(&article, parser, older, older_size)) == 0)
                    error = walk_model(&w, article, older_size, oldest);
                dl_article_free(article);
            }
        }
        free(newer);
        newer = older;
        newer_size = older_size;
        older = NULL;
        oldest = n;
    }
    if (error == 0 && newest != NULL) {
        ++*read; /* the oldest text version, which nothing came before */
        for (size_t t = 0; t < w.text_count; t++)
            if (w.texts[t].open)
                w.texts[t].origin = oldest;
        error = make_keys(latest, newest, &w);
    }
    if (error == 0)
        *walked = count;
    else
        keys_dispose(latest);
    free(older);
    free(newer);
    dl_article_free(newest);
    walk_dispose(&w);
    return error;
}

/* ------------------------------------------------------------- lines -- */

static int fill_version(int *recorded, dl_history_version *out, size_t origin,
                        const dl_history_log *log, const size_t *chain)
{
    if (origin == NOT_RECORDED)
        return 0;
    *recorded = 1;
    return copy_version(out, &log->versions[chain[origin]]);
}

static int fill_line(dl_blame_line *line, const dl_article *article, size_t block, size_t origin,
                     const dl_history_log *log, const size_t *chain)
{
    const dl_block *b = &article->blocks[block];
    int error = 0;
    line->block = block;
    line->kind = b->kind;
    line->range = b->span.range;
    line->first_words = dup_or_null(b->first_words ? b->first_words : "", &error);
    if (error == 0)
        error = fill_version(&line->recorded, &line->version, origin, log, chain);
    return error;
}

static int fill_quote(dl_blame_quote *quote, const dl_article *article, size_t index,
                      size_t origin, const dl_history_log *log, const size_t *chain)
{
    const dl_quotation *q = &article->quotations[index];
    int error = 0;
    quote->quotation = index;
    quote->block = q->block;
    quote->range = q->span.range;
    quote->text = dup_or_null(q->text, &error);
    quote->speaker = dup_or_null(q->speaker, &error);
    if (error == 0)
        error = fill_version(&quote->recorded, &quote->version, origin, log, chain);
    return error;
}

/* ------------------------------------------------------------- cache -- */

/* The history's part of a blame: the versions walked and the latest one's
 * keys. Owned by a dl_blame_cache, or by one dl_blame_file call. */
typedef struct {
    int valid;
    size_t max_count;       /* the walk's bound */
    dl_history_stamp stamp; /* the article's and the notes' tips before the walk */
    dl_history_log *log;
    size_t *chain, chain_count;
    version_keys latest;
    size_t walked, read;
} history_part;

static void history_part_dispose(history_part *part)
{
    dl_history_log_free(part->log);
    free(part->chain);
    keys_dispose(&part->latest);
    memset(part, 0, sizeof(*part));
}

struct dl_blame_cache {
    history_part part;
    dl_article_parser *parser; /* the current text blamed last */
};

int dl_blame_cache_new(dl_blame_cache **out)
{
    dl_blame_cache *cache = calloc(1, sizeof(*cache));
    if (!cache)
        return oom();
    int error = dl_article_parser_new(&cache->parser);
    if (error < 0) {
        free(cache);
        return error;
    }
    *out = cache;
    return 0;
}

void dl_blame_cache_free(dl_blame_cache *cache)
{
    if (!cache)
        return;
    history_part_dispose(&cache->part);
    dl_article_parser_free(cache->parser);
    free(cache);
}

/* Walk the history into `part`. The stamp is read first: a version or
 * note recorded during the walk makes the next call walk again. The keys
 * need only where blocks and quotations are and what they say: the
 * versions are modelled without counts, first words or speakers. */
static int history_walk(history_part *part, dl_history *history, size_t max_count)
{
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = max_count;
    dl_article_parser_options parser_options = DL_ARTICLE_PARSER_OPTIONS_INIT;
    parser_options.spans_only = 1;
    dl_article_parser *parser = NULL;
    int error = dl_article_parser_new_with(&parser, &parser_options);
    if (error == 0)
        error = dl_history_stamp_read(&part->stamp, history);
    if (error == 0)
        error = dl_history_log_read(&part->log, history, &options);
    if (error == 0)
        error = first_parent_chain(&part->chain, &part->chain_count, part->log);
    if (error == 0)
        error = walk_history(&part->latest, &part->walked, &part->read, history, parser,
                             part->log, part->chain, part->chain_count);
    dl_article_parser_free(parser);
    if (error < 0)
        return error;
    part->valid = 1;
    part->max_count = max_count;
    return 0;
}

/* Whether the cached walk still describes the history: same bound, same
 * latest version, same notes (a new note changes what blame shows). */
static int history_part_current(const history_part *part, dl_history *history, size_t max_count)
{
    if (!part->valid || part->max_count != max_count)
        return 0;
    dl_history_stamp now;
    if (dl_history_stamp_read(&now, history) < 0) {
        dl_error_clear();
        return 0;
    }
    return strcmp(now.article.hex, part->stamp.article.hex) == 0 &&
           strcmp(now.notes.hex, part->stamp.notes.hex) == 0;
}

/* ------------------------------------------------------------- blame -- */

int dl_blame_file(dl_blame **out, dl_history *history, const char *content, size_t size,
                  const dl_blame_options *opts)
{
    static const dl_blame_options defaults = DL_BLAME_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_blame_cache *cache = opts->cache;
    dl_article_parser *own_parser = NULL;
    history_part own_part = {0}, *part = cache ? &cache->part : &own_part;
    dl_article *article = NULL;
    dl_blame *blame = calloc(1, sizeof(*blame));
    int error = blame ? 0 : oom();
    if (error == 0 && (error = dl_text_check(content, size, dl_history_file(history))) == 0 &&
        cache == NULL)
        error = dl_article_parser_new(&own_parser);
    dl_article_parser *parser = cache ? cache->parser : own_parser;
    if (error == 0 && !history_part_current(part, history, opts->max_count)) {
        history_part_dispose(part);
        error = history_walk(part, history, opts->max_count);
    }
    if (error == 0)
        error = dl_article_parser_parse(&article, parser, content, size);
    if (error < 0)
        goto done;

    /* The current content against the latest version. */
    blame->versions_walked = part->walked;
    blame->versions_read = part->read;
    blame->lines = calloc(article->block_count + 1, sizeof(*blame->lines));
    blame->quotes = calloc(article->quotation_count + 1, sizeof(*blame->quotes));
    if (!blame->lines || !blame->quotes) {
        error = oom();
        goto done;
    }
    const version_keys *latest = &part->latest;
    for (int p = 0; p < DL_BLAME_FRONT_PARTS && error == 0; p++) {
        const dl_span *span = front_span(article, (dl_blame_front_part)p);
        if (!span)
            continue;
        uint64_t h = words_hash(span->text, span->size);
        dl_blame_front *front = &blame->front[blame->front_count++];
        front->part = (dl_blame_front_part)p;
        front->range = span->range;
        if (latest->has_front[p] && latest->front[p].hash == h)
            error = fill_version(&front->recorded, &front->version, latest->front[p].origin,
                                 part->log, part->chain);
    }
    for (size_t i = 0; i < article->block_count && error == 0; i++) {
        uint64_t h = words_hash(article->blocks[i].span.text, article->blocks[i].span.size);
        size_t origin = origin_of(latest->blocks, latest->block_count, h, NOT_RECORDED);
        error = fill_line(&blame->lines[i], article, i, origin, part->log, part->chain);
        blame->count++;
    }
    for (size_t i = 0; i < article->quotation_count && error == 0; i++) {
        uint64_t h = words_hash(article->quotations[i].text, strlen(article->quotations[i].text));
        size_t origin = origin_of(latest->quotes, latest->quote_count, h, NOT_RECORDED);
        error = fill_quote(&blame->quotes[i], article, i, origin, part->log, part->chain);
        blame->quote_count++;
    }
    if (error < 0)
        goto done;
    *out = blame;
    blame = NULL;
done:
    if (error < 0)
        history_part_dispose(part); /* a failed walk is not worth keeping */
    dl_blame_free(blame);
    history_part_dispose(&own_part);
    dl_article_free(article);
    dl_article_parser_free(own_parser);
    return error;
}

void dl_blame_free(dl_blame *blame)
{
    if (!blame)
        return;
    for (size_t i = 0; i < blame->front_count; i++)
        version_dispose(&blame->front[i].version);
    for (size_t i = 0; i < blame->count; i++) {
        free(blame->lines[i].first_words);
        version_dispose(&blame->lines[i].version);
    }
    for (size_t i = 0; i < blame->quote_count; i++) {
        free(blame->quotes[i].text);
        free(blame->quotes[i].speaker);
        version_dispose(&blame->quotes[i].version);
    }
    free(blame->lines);
    free(blame->quotes);
    free(blame);
}

/* -------------------------------------------------------------- JSON -- */

static json_t *version_json(int recorded, const dl_history_version *v)
{
    if (!recorded)
        return json_null();
    char when[40];
    dl_history_format_time(when, sizeof(when), v->time, v->offset);
    return json_pack("{s:s,s:s#,s:s,s:I,s:i,s:{s:s,s:s},s:o}", "id", v->id.hex, "short",
                     v->id.hex, (int)DL_HISTORY_ID_SHORTSIZE, "time", when, "timestamp",
                     (json_int_t)v->time, "offset_minutes", v->offset, "author", "name",
                     v->author_name ? v->author_name : "", "email",
                     v->author_email ? v->author_email : "", "note",
                     v->note ? json_string(v->note) : json_null());
}

int dl_blame_to_json(json_t **out, const dl_blame *blame)
{
    static const char *const part_names[DL_BLAME_FRONT_PARTS] = {"headline", "dek", "byline"};
    json_t *front = json_array(), *blocks = json_array(), *quotes = json_array();
    for (size_t i = 0; front && i < blame->front_count; i++) {
        const dl_blame_front *f = &blame->front[i];
        json_array_append_new(front, json_pack("{s:s,s:o,s:o}", "part", part_names[f->part],
                                               "range", dl_json_range(&f->range), "version",
                                               version_json(f->recorded, &f->version)));
    }
    for (size_t i = 0; blocks && i < blame->count; i++) {
        const dl_blame_line *line = &blame->lines[i];
        json_array_append_new(
            blocks, json_pack("{s:I,s:s,s:o,s:s,s:o}", "index", (json_int_t)line->block, "kind",
                              dl_article_block_kind_name(line->kind), "range",
                              dl_json_range(&line->range), "first_words", line->first_words,
                              "version", version_json(line->recorded, &line->version)));
    }
    for (size_t i = 0; quotes && i < blame->quote_count; i++) {
        const dl_blame_quote *q = &blame->quotes[i];
        json_array_append_new(
            quotes,
            json_pack("{s:I,s:o,s:o,s:s,s:o,s:o}", "index", (json_int_t)q->quotation, "block",
                      q->block == DL_NO_BLOCK ? json_null() : json_integer((json_int_t)q->block),
                      "range", dl_json_range(&q->range), "text", q->text, "speaker",
                      q->speaker ? json_string(q->speaker) : json_null(), "version",
                      version_json(q->recorded, &q->version)));
    }
    json_t *json = json_pack("{s:i,s:o,s:o,s:o,s:I,s:I}", "schema", DL_JSON_SCHEMA, "front", front,
                             "blocks", blocks, "quotations", quotes, "versions_walked",
                             (json_int_t)blame->versions_walked, "versions_read",
                             (json_int_t)blame->versions_read);
    if (!json)
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    *out = json;
    return 0;
}

/* ------------------------------------------- quotations since a note -- */

struct dl_blame_checker {
    int valid;
    dl_history_stamp stamp; /* the history as the annotated version was found */
    dl_history_log *log;    /* at most the one annotated version */
    dl_article *annotated;  /* its text, parsed; NULL: none, or not text */
    dl_article_parser *parser; /* the current text seen last */
};

int dl_blame_checker_new(dl_blame_checker **out)
{
    dl_blame_checker *checker = calloc(1, sizeof(*checker));
    if (!checker)
        return oom();
    int error = dl_article_parser_new(&checker->parser);
    if (error < 0) {
        free(checker);
        return error;
    }
    *out = checker;
    return 0;
}

static void checker_forget(dl_blame_checker *checker)
{
    dl_history_log_free(checker->log);
    dl_article_free(checker->annotated);
    checker->log = NULL;
    checker->annotated = NULL;
    checker->valid = 0;
}

void dl_blame_checker_free(dl_blame_checker *checker)
{
    if (!checker)
        return;
    checker_forget(checker);
    dl_article_parser_free(checker->parser);
    free(checker);
}

/*
 * Bring the annotated version up to date. Finding it walks the whole
 * history and reads every note, so it is read again only when the stamp
 * says it may have changed (a new note, or a history that did more than
 * grow by un-annotated saves).
 */
static int checker_update(dl_blame_checker *checker, dl_history *history)
{
    dl_history_stamp stamp;
    int error = dl_history_stamp_read(&stamp, history);
    if (error < 0)
        return error;
    if (checker->valid && dl_history_same_annotated(history, &checker->stamp, &stamp)) {
        checker->stamp = stamp;
        return 0;
    }
    checker_forget(checker);
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = 1;
    options.annotated_only = 1;
    if ((error = dl_history_log_read(&checker->log, history, &options)) < 0)
        return error;
    if (checker->log->count > 0) {
        char *text = NULL;
        size_t size = 0;
        /* An annotated version that is not text has no quotations to compare. */
        if (dl_history_read_version(&text, &size, history, &checker->log->versions[0]) == 0 &&
            dl_text_check(text, size, "the annotated version") == 0 &&
            dl_article_parse(&checker->annotated, text, size) < 0)
            checker->annotated = NULL;
        free(text);
        dl_error_clear();
    }
    /* The stamp was read before the log: a change in between reads it again. */
    checker->stamp = stamp;
    checker->valid = 1;
    return 0;
}

/* "quotation changed since the annotated version ID (“NOTE”): it was “OLD”" */
static char *change_message(const dl_history_version *v, const char *old_text)
{
    static const char format[] =
        "quotation changed since the annotated version %.*s (“%s”): it was “%s”";
    const char *note = v->note ? v->note : "";
    int length = snprintf(NULL, 0, format, DL_HISTORY_ID_SHORTSIZE, v->id.hex, note, old_text);
    char *message = length < 0 ? NULL : malloc((size_t)length + 1);
    if (message)
        snprintf(message, (size_t)length + 1, format, DL_HISTORY_ID_SHORTSIZE, v->id.hex, note,
                 old_text);
    return message;
}

static int collect_changes(dl_blame_quote_changes *result, const dl_diff *diff,
                           const dl_article *current)
{
    result->changes = calloc(diff->quotation_count + 1, sizeof(*result->changes));
    if (!result->changes)
        return oom();
    int error = 0;
    for (size_t i = 0; i < diff->quotation_count && error == 0; i++) {
        const dl_diff_quotation *q = &diff->quotations[i];
        if (q->change != DL_DIFF_QUOTE_CHANGED || q->new_text == NULL ||
            q->new_quotation >= current->quotation_count)
            continue;
        dl_blame_quote_change *c = &result->changes[result->count++];
        const char *old_text = q->old_text ? q->old_text : "";
        c->text = dup_or_null(q->new_text, &error);
        c->old_text = dup_or_null(old_text, &error);
        c->range = current->quotations[q->new_quotation].span.range;
        if (error == 0 && (c->message = change_message(&result->version, old_text)) == NULL)
            error = oom();
    }
    return error;
}

int dl_blame_quotes_changed(dl_blame_quote_changes **out, dl_blame_checker *checker,
                            dl_history *history, const char *content, size_t size)
{
    dl_blame_checker *own = NULL;
    dl_article *current = NULL;
    dl_diff *diff = NULL;
    dl_blame_quote_changes *result = calloc(1, sizeof(*result));
    int error = result ? 0 : oom();
    if (error == 0 && checker == NULL && (error = dl_blame_checker_new(&own)) == 0)
        checker = own;
    if (error == 0 && (error = dl_text_check(content, size, dl_history_file(history))) == 0)
        error = checker_update(checker, history);
    if (error < 0 || checker->annotated == NULL)
        goto done;

    result->annotated = 1;
    if ((error = copy_version(&result->version, &checker->log->versions[0])) < 0 ||
        (error = dl_article_parser_parse(&current, checker->parser, content, size)) < 0 ||
        (error = dl_diff_articles(&diff, checker->annotated, current, NULL)) < 0)
        goto done;
    error = collect_changes(result, diff, current);
done:
    if (error == 0) {
        *out = result;
        result = NULL;
    }
    dl_blame_quote_changes_free(result);
    dl_diff_free(diff);
    dl_article_free(current);
    dl_blame_checker_free(own);
    return error;
}

void dl_blame_quote_changes_free(dl_blame_quote_changes *changes)
{
    if (!changes)
        return;
    for (size_t i = 0; i < changes->count; i++) {
        free(changes->changes[i].text);
        free(changes->changes[i].old_text);
        free(changes->changes[i].message);
    }
    free(changes->changes);
    version_dispose(&changes->version);
    free(changes);
}
