/*
 * dateline — structural diff: block alignment, quotations, events, summary.
 * The word level lives in diff_words.c, JSON and the terminal view in
 * diff_render.c. dateline/diff.h describes the rules.
 */
#include "dateline/diff.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "diff_internal.h"

/* Above this many candidate pairs of unmatched blocks, only pairs between
 * the same two unchanged neighbours are compared: two unrelated 10,000-word
 * articles would otherwise cost 200 × 200 similarity checks for nothing. */
#define MAX_GLOBAL_PAIRS 40000

/* A quotation pair in aligned blocks needs this much in common, unless it is
 * the only unmatched pair there (a quote replaced wholesale is a change). */
#define QUOTE_SIMILARITY 0.25

/* One block of one version, as the alignment sees it. */
typedef struct {
    const char *body; /* the block's text without a leading dateline or byline */
    size_t body_size;
    token *tokens;
    size_t token_count;
    uint32_t key;     /* interned normalised text: equal keys, equal blocks */
    uint32_t *bag;    /* sorted word ids, built on demand */
    size_t bag_count;
    size_t entry;     /* index of its entry in the result, or DL_DIFF_NONE */
    size_t gap;       /* unchanged blocks before it, for MAX_GLOBAL_PAIRS */
} side_block;

typedef struct {
    const diff_unit *units;
    side_block *blocks;
    size_t count;
} side;

typedef struct {
    const dl_diff_options *opts;
    const dl_article *old_article, *new_article; /* NULL when aligning bare units */
    double threshold;
    intern_table words; /* word and punctuation tokens, both versions */
    intern_table keys;  /* block texts as token-id sequences */
    side old, new;
    dl_diff_block *entries;
    size_t entry_count, entry_capacity;
} aligner;

static int oom(void)
{
    return dl_error_set(DL_ERROR, "out of memory");
}

/* ------------------------------------------------------------- sides -- */

/* Where the comparable text of a block starts: after the dateline that
 * opens the first paragraph, or the byline that opens its block — both are
 * reported as events of their own. */
static size_t body_skip(const dl_article *a, const dl_block *block)
{
    size_t skip = 0;
    const dl_span *spans[] = {a->dateline, a->byline};
    for (size_t i = 0; i < 2; i++) {
        const dl_span *span = spans[i];
        if (span && span->range.start_byte == block->span.range.start_byte &&
            span->range.end_byte <= block->span.range.end_byte)
            skip = span->range.end_byte - span->range.start_byte;
    }
    return skip;
}

static int side_init(aligner *al, side *s, const diff_unit *units, size_t count)
{
    s->units = units;
    s->count = count;
    s->blocks = calloc(s->count + 1, sizeof(*s->blocks));
    if (!s->blocks)
        return oom();
    for (size_t i = 0; i < s->count; i++) {
        side_block *b = &s->blocks[i];
        b->body = units[i].text;
        b->body_size = units[i].size;
        b->entry = DL_DIFF_NONE;
        int error = dl_diff__tokenize(&b->tokens, &b->token_count, &al->words, b->body, b->body_size);
        if (error < 0)
            return error;
        /* The key: token ids without leading and trailing whitespace. A
         * whitespace run is one token whatever it holds, so CRLF, double
         * spaces and re-wrapped lines give the same key. */
        size_t first = 0, last = b->token_count;
        while (first < last && b->tokens[first].id == SPACE_ID)
            first++;
        while (last > first && b->tokens[last - 1].id == SPACE_ID)
            last--;
        uint32_t *ids = malloc((last - first + 1) * sizeof(*ids));
        if (!ids)
            return oom();
        for (size_t k = first; k < last; k++)
            ids[k - first] = b->tokens[k].id;
        /* The table keeps a pointer to the bytes: park them in bag (freed
         * with the side, after the table is no longer used). */
        b->bag = ids;
        int64_t key = dl_diff__intern(&al->keys, ids, (last - first) * sizeof(*ids));
        if (key < 0)
            return (int)key;
        b->key = (uint32_t)key;
        b->bag_count = SIZE_MAX; /* not a bag yet */
    }
    return 0;
}

/* The units of an article: its blocks, each without a leading dateline or
 * byline. */
static int article_units(diff_unit **out, const dl_article *article)
{
    size_t count = article ? article->block_count : 0;
    diff_unit *units = calloc(count + 1, sizeof(*units));
    if (!units)
        return oom();
    for (size_t i = 0; i < count; i++) {
        const dl_block *block = &article->blocks[i];
        size_t size = block->span.range.end_byte - block->span.range.start_byte;
        size_t skip = body_skip(article, block);
        units[i] = (diff_unit){block->span.text + skip, size - skip, block->span.range};
    }
    *out = units;
    return 0;
}

static void side_dispose(side *s)
{
    for (size_t i = 0; s->blocks && i < s->count; i++) {
        free(s->blocks[i].tokens);
        free(s->blocks[i].bag);
    }
    free(s->blocks);
}

/* The block's word bag, built the first time it is needed. The key's id
 * array parked in `bag` is released then: the keys table is done by now. */
static int bag_of(side_block *b)
{
    if (b->bag_count != SIZE_MAX)
        return 0;
    free(b->bag);
    b->bag = NULL;
    return dl_diff__word_bag(&b->bag, &b->bag_count, b->tokens, b->token_count);
}

/* ----------------------------------------------------------- entries -- */

static int add_entry(aligner *al, dl_diff_kind kind, size_t old_index, size_t old_count,
                     size_t new_index, size_t new_count, double similarity)
{
    if (al->entry_count == al->entry_capacity) {
        size_t grown = al->entry_capacity ? al->entry_capacity * 2 : 16;
        dl_diff_block *larger = realloc(al->entries, grown * sizeof(*larger));
        if (!larger)
            return oom();
        al->entries = larger;
        al->entry_capacity = grown;
    }
    size_t index = al->entry_count++;
    dl_diff_block *e = &al->entries[index];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->old_index = old_count ? old_index : DL_DIFF_NONE;
    e->new_index = new_count ? new_index : DL_DIFF_NONE;
    e->old_count = old_count;
    e->new_count = new_count;
    e->similarity = similarity;
    /* Bare units are all paragraphs; dl_diff_articles puts in the kinds. */
    e->old_kind = e->new_kind = DL_BLOCK_PARAGRAPH;
    e->old_number = old_count ? old_index + 1 : 0;
    e->new_number = new_count ? new_index + 1 : 0;
    for (size_t k = 0; k < old_count; k++)
        al->old.blocks[old_index + k].entry = index;
    for (size_t k = 0; k < new_count; k++)
        al->new.blocks[new_index + k].entry = index;
    if (old_count) {
        e->old_range = al->old.units[old_index].range;
        e->old_range.end_byte = al->old.units[old_index + old_count - 1].range.end_byte;
        e->old_range.end_line = al->old.units[old_index + old_count - 1].range.end_line;
    }
    if (new_count) {
        e->new_range = al->new.units[new_index].range;
        e->new_range.end_byte = al->new.units[new_index + new_count - 1].range.end_byte;
        e->new_range.end_line = al->new.units[new_index + new_count - 1].range.end_line;
    }
    return 0;
}

static bool unmatched(const side *s, size_t i)
{
    return s->blocks[i].entry == DL_DIFF_NONE;
}

/* --------------------------------------------------- exact alignment -- */

/* Unchanged blocks: the longest common subsequence of block keys. */
static int align_unchanged(aligner *al)
{
    size_t n = al->old.count, m = al->new.count;
    uint32_t *a = malloc((n + 1) * sizeof(*a)), *b = malloc((m + 1) * sizeof(*b));
    uint8_t *deleted = calloc(n + 1, 1), *inserted = calloc(m + 1, 1);
    int error = 0;
    if (!a || !b || !deleted || !inserted) {
        error = oom();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = al->old.blocks[i].key;
    for (size_t j = 0; j < m; j++)
        b[j] = al->new.blocks[j].key;
    if ((error = dl_diff__myers_diff(deleted, inserted, a, n, b, m)) < 0)
        goto done;
    size_t i = 0, j = 0, gap = 0;
    while (i < n || j < m) {
        if (i < n && deleted[i]) {
            al->old.blocks[i++].gap = gap;
        } else if (j < m && inserted[j]) {
            al->new.blocks[j++].gap = gap;
        } else {
            if ((error = add_entry(al, DL_DIFF_UNCHANGED, i, 1, j, 1, 1.0)) < 0)
                goto done;
            i++, j++, gap++;
        }
    }
done:
    free(a);
    free(b);
    free(deleted);
    free(inserted);
    return error;
}

/* Moved blocks: the same text elsewhere. Each new block takes the first
 * unmatched old block with its key. */
static int align_moved(aligner *al)
{
    for (size_t j = 0; j < al->new.count; j++) {
        if (!unmatched(&al->new, j))
            continue;
        for (size_t i = 0; i < al->old.count; i++) {
            if (unmatched(&al->old, i) && al->old.blocks[i].key == al->new.blocks[j].key) {
                int error = add_entry(al, DL_DIFF_MOVED, i, 1, j, 1, 1.0);
                if (error < 0)
                    return error;
                break;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------ similar alignment -- */

typedef struct {
    double score;
    dl_diff_kind kind; /* edited, split or merged */
    size_t old_index, new_index;
} candidate;

typedef struct {
    candidate *items;
    size_t count, capacity;
} candidates;

static int push_candidate(candidates *c, candidate item)
{
    if (c->count == c->capacity) {
        size_t grown = c->capacity ? c->capacity * 2 : 32;
        candidate *larger = realloc(c->items, grown * sizeof(*larger));
        if (!larger)
            return oom();
        c->items = larger;
        c->capacity = grown;
    }
    c->items[c->count++] = item;
    return 0;
}

/* Best score first; on a tie the plain edit, then reading order, so the
 * result does not depend on qsort's whims. */
static int compare_candidates(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind == DL_DIFF_EDITED ? -1 : b->kind == DL_DIFF_EDITED ? 1 : (int)a->kind - (int)b->kind;
    if (a->new_index != b->new_index)
        return a->new_index < b->new_index ? -1 : 1;
    return a->old_index < b->old_index ? -1 : a->old_index > b->old_index;
}

/* Dice of one block against two consecutive blocks together, for splits
 * and merges, or -1 when the pair is not a plausible split: each of the two
 * must take most of its words from the one. */
static double pair_score(side_block *one, side_block *first, side_block *second)
{
    if (first->bag_count == 0 || second->bag_count == 0)
        return -1;
    size_t c1 = dl_diff__bag_common(one->bag, one->bag_count, first->bag, first->bag_count);
    size_t c2 = dl_diff__bag_common(one->bag, one->bag_count, second->bag, second->bag_count);
    if (2 * c1 < first->bag_count || 2 * c2 < second->bag_count)
        return -1;
    /* |one ∩ (first + second)| as a multiset: merge the two bags. */
    size_t n = first->bag_count + second->bag_count;
    uint32_t *both = malloc(n * sizeof(*both));
    if (!both)
        return -2;
    size_t i = 0, j = 0, k = 0;
    while (i < first->bag_count || j < second->bag_count) {
        if (j == second->bag_count || (i < first->bag_count && first->bag[i] <= second->bag[j]))
            both[k++] = first->bag[i++];
        else
            both[k++] = second->bag[j++];
    }
    size_t common = dl_diff__bag_common(one->bag, one->bag_count, both, n);
    free(both);
    return 2.0 * (double)common / (double)(one->bag_count + n);
}

static int align_similar(aligner *al)
{
    side *old = &al->old, *new = &al->new;
    size_t uo = 0, un = 0;
    for (size_t i = 0; i < old->count; i++)
        uo += unmatched(old, i);
    for (size_t j = 0; j < new->count; j++)
        un += unmatched(new, j);
    if (uo == 0 || un == 0)
        return 0;
    bool global = uo * un <= MAX_GLOBAL_PAIRS;

    int error = 0;
    candidates c = {NULL, 0, 0};
    for (size_t i = 0; i < old->count && error == 0; i++)
        if (unmatched(old, i))
            error = bag_of(&old->blocks[i]);
    for (size_t j = 0; j < new->count && error == 0; j++)
        if (unmatched(new, j))
            error = bag_of(&new->blocks[j]);

    for (size_t i = 0; i < old->count && error == 0; i++) {
        if (!unmatched(old, i))
            continue;
        side_block *o = &old->blocks[i];
        for (size_t j = 0; j < new->count && error == 0; j++) {
            if (!unmatched(new, j) || (!global && o->gap != new->blocks[j].gap))
                continue;
            side_block *n = &new->blocks[j];
            double score = dl_diff__bag_dice(o->bag, o->bag_count, n->bag, n->bag_count);
            if (score >= al->threshold)
                error = push_candidate(&c, (candidate){score, DL_DIFF_EDITED, i, j});
            /* old i split into new j, j+1 */
            if (error == 0 && j + 1 < new->count && unmatched(new, j + 1)) {
                double split = pair_score(o, n, &new->blocks[j + 1]);
                if (split < -1.5)
                    error = oom();
                else if (split >= al->threshold)
                    error = push_candidate(&c, (candidate){split, DL_DIFF_SPLIT, i, j});
            }
            /* old i, i+1 merged into new j */
            if (error == 0 && i + 1 < old->count && unmatched(old, i + 1)) {
                double merge = pair_score(n, o, &old->blocks[i + 1]);
                if (merge < -1.5)
                    error = oom();
                else if (merge >= al->threshold)
                    error = push_candidate(&c, (candidate){merge, DL_DIFF_MERGED, i, j});
            }
        }
    }
    if (error == 0 && c.count > 0)
        qsort(c.items, c.count, sizeof(*c.items), compare_candidates);
    for (size_t k = 0; k < c.count && error == 0; k++) {
        candidate *x = &c.items[k];
        size_t old_count = x->kind == DL_DIFF_MERGED ? 2 : 1;
        size_t new_count = x->kind == DL_DIFF_SPLIT ? 2 : 1;
        bool free_blocks = true;
        for (size_t d = 0; d < old_count; d++)
            free_blocks = free_blocks && unmatched(old, x->old_index + d);
        for (size_t d = 0; d < new_count; d++)
            free_blocks = free_blocks && unmatched(new, x->new_index + d);
        if (free_blocks)
            error = add_entry(al, x->kind, x->old_index, old_count, x->new_index, new_count,
                              x->score);
    }
    free(c.items);
    return error;
}

static int align_rest(aligner *al)
{
    int error = 0;
    for (size_t i = 0; i < al->old.count && error == 0; i++)
        if (unmatched(&al->old, i))
            error = add_entry(al, DL_DIFF_REMOVED, i, 1, 0, 0, 0.0);
    for (size_t j = 0; j < al->new.count && error == 0; j++)
        if (unmatched(&al->new, j))
            error = add_entry(al, DL_DIFF_ADDED, 0, 0, j, 1, 0.0);
    return error;
}

/* ------------------------------------------------------------ order -- */

typedef struct {
    size_t key, old_index, entry;
} order_key;

static int compare_order(const void *x, const void *y)
{
    const order_key *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->old_index < b->old_index ? -1 : a->old_index > b->old_index;
}

/* Reading order: entries with a new side by their first new block (odd
 * keys); a removed block right after the entry holding the nearest old
 * block before it that survived (even keys), or first. The side blocks'
 * `entry` fields are renumbered to match. */
static int order_entries(aligner *al)
{
    size_t n = al->entry_count;
    order_key *keys = malloc((n + 1) * sizeof(*keys));
    dl_diff_block *sorted = malloc((n + 1) * sizeof(*sorted));
    size_t *position = malloc((n + 1) * sizeof(*position));
    if (!keys || !sorted || !position) {
        free(keys);
        free(sorted);
        free(position);
        return oom();
    }
    for (size_t e = 0; e < n; e++) {
        const dl_diff_block *entry = &al->entries[e];
        size_t key = 0;
        if (entry->new_count) {
            key = 2 * entry->new_index + 1;
        } else {
            for (size_t i = entry->old_index; i-- > 0;) {
                const dl_diff_block *before = &al->entries[al->old.blocks[i].entry];
                if (before->new_count) {
                    key = 2 * (before->new_index + before->new_count - 1) + 2;
                    break;
                }
            }
        }
        keys[e] = (order_key){key, entry->old_count ? entry->old_index : 0, e};
    }
    if (n > 0)
        qsort(keys, n, sizeof(*keys), compare_order);
    for (size_t k = 0; k < n; k++) {
        sorted[k] = al->entries[keys[k].entry];
        position[keys[k].entry] = k;
    }
    for (size_t i = 0; i < al->old.count; i++)
        al->old.blocks[i].entry = position[al->old.blocks[i].entry];
    for (size_t j = 0; j < al->new.count; j++)
        al->new.blocks[j].entry = position[al->new.blocks[j].entry];
    free(al->entries);
    al->entries = sorted;
    al->entry_capacity = n + 1;
    free(keys);
    free(position);
    return 0;
}

/* ------------------------------------------------------- word diffs -- */

/* The two blocks of a split or merge side as one text, joined by a blank
 * line, tokenised. */
static int joined_tokens(aligner *al, side *s, size_t index, size_t count, char **text,
                         size_t *size, token **tokens, size_t *token_count)
{
    if (count == 1) {
        *text = NULL;
        *size = s->blocks[index].body_size;
        *tokens = NULL;
        *token_count = 0;
        return 0;
    }
    const side_block *a = &s->blocks[index], *b = &s->blocks[index + 1];
    size_t n = a->body_size + 2 + b->body_size;
    char *joined = malloc(n + 1);
    if (!joined)
        return oom();
    memcpy(joined, a->body, a->body_size);
    memcpy(joined + a->body_size, "\n\n", 2);
    memcpy(joined + a->body_size + 2, b->body, b->body_size);
    joined[n] = '\0';
    int error = dl_diff__tokenize(tokens, token_count, &al->words, joined, n);
    if (error < 0) {
        free(joined);
        return error;
    }
    *text = joined;
    *size = n;
    return 0;
}

static int entry_words(aligner *al, dl_diff_block *e)
{
    char *old_joined = NULL, *new_joined = NULL;
    token *old_joined_tokens = NULL, *new_joined_tokens = NULL;
    size_t old_size, new_size, old_count = 0, new_count = 0;
    int error = joined_tokens(al, &al->old, e->old_index, e->old_count, &old_joined, &old_size,
                              &old_joined_tokens, &old_count);
    if (error == 0)
        error = joined_tokens(al, &al->new, e->new_index, e->new_count, &new_joined,
                              &new_size, &new_joined_tokens, &new_count);
    if (error == 0) {
        const side_block *o = &al->old.blocks[e->old_index], *n = &al->new.blocks[e->new_index];
        error = dl_diff__words_from_tokens(
            &e->words, old_joined ? old_joined : o->body,
            old_joined ? old_joined_tokens : o->tokens, old_joined ? old_count : o->token_count,
            new_joined ? new_joined : n->body, new_joined ? new_joined_tokens : n->tokens,
            new_joined ? new_count : n->token_count);
    }
    free(old_joined);
    free(new_joined);
    free(old_joined_tokens);
    free(new_joined_tokens);
    return error;
}

/* ------------------------------------------------------- quotations -- */

typedef struct {
    dl_diff_quotation *items;
    size_t count, capacity;
} quote_list;

static char *dup_or_null(const char *s, int *error)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        *error = oom();
    return copy;
}

static int push_quote(quote_list *list, dl_diff_quote_change change, const dl_article *old,
                      size_t oq, const dl_article *new, size_t nq)
{
    if (list->count == list->capacity) {
        size_t grown = list->capacity ? list->capacity * 2 : 8;
        dl_diff_quotation *larger = realloc(list->items, grown * sizeof(*larger));
        if (!larger)
            return oom();
        list->items = larger;
        list->capacity = grown;
    }
    dl_diff_quotation *q = &list->items[list->count++];
    memset(q, 0, sizeof(*q));
    const dl_quotation *o = oq != DL_DIFF_NONE ? &old->quotations[oq] : NULL;
    const dl_quotation *n = nq != DL_DIFF_NONE ? &new->quotations[nq] : NULL;
    int error = 0;
    q->change = change;
    q->old_quotation = oq;
    q->new_quotation = nq;
    q->old_block = o ? o->block : DL_DIFF_NONE;
    q->new_block = n ? n->block : DL_DIFF_NONE;
    q->old_text = dup_or_null(o ? o->text : NULL, &error);
    q->new_text = dup_or_null(n ? n->text : NULL, &error);
    q->old_speaker = dup_or_null(o ? o->speaker : NULL, &error);
    q->speaker = dup_or_null(n ? n->speaker : o ? o->speaker : NULL, &error);
    if (error == 0 && change == DL_DIFF_QUOTE_CHANGED)
        error = dl_diff_words_compute(&q->words, o->text, strlen(o->text), n->text,
                                      strlen(n->text));
    return error;
}

/* The alignment entry holding a quotation's block; the headline and dek
 * (DL_NO_BLOCK) form an entry of their own, SIZE_MAX - 1. */
static size_t quote_entry(const side *s, const dl_quotation *q)
{
    return q->block == DL_NO_BLOCK || q->block >= s->count ? SIZE_MAX - 1
                                                           : s->blocks[q->block].entry;
}

static int speakers_differ(const char *a, const char *b)
{
    return a && b && !dl_diff__text_equal_normalised(a, b);
}

static int compare_quote_order(const void *x, const void *y)
{
    const dl_diff_quotation *a = x, *b = y;
    bool ra = a->change == DL_DIFF_QUOTE_REMOVED, rb = b->change == DL_DIFF_QUOTE_REMOVED;
    if (ra != rb)
        return ra ? 1 : -1;
    size_t ka = ra ? a->old_quotation : a->new_quotation;
    size_t kb = rb ? b->old_quotation : b->new_quotation;
    return ka < kb ? -1 : ka > kb;
}

static int align_quotations(aligner *al, dl_diff *diff)
{
    const dl_article *old = al->old_article, *new = al->new_article;
    size_t no = old ? old->quotation_count : 0, nn = new ? new->quotation_count : 0;
    size_t *old_match = malloc((no + 1) * sizeof(size_t));
    size_t *new_match = malloc((nn + 1) * sizeof(size_t));
    quote_list list = {NULL, 0, 0};
    uint32_t **bags = NULL;
    size_t *bag_counts = NULL;
    int error = 0;
    if (!old_match || !new_match) {
        error = oom();
        goto done;
    }
    for (size_t i = 0; i < no; i++)
        old_match[i] = DL_DIFF_NONE;
    for (size_t j = 0; j < nn; j++)
        new_match[j] = DL_DIFF_NONE;

    /* 1. Equal words, preferring a quotation in the aligned block. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < nn; j++) {
            if (new_match[j] != DL_DIFF_NONE)
                continue;
            const dl_quotation *n = &new->quotations[j];
            for (size_t i = 0; i < no; i++) {
                const dl_quotation *o = &old->quotations[i];
                if (old_match[i] != DL_DIFF_NONE ||
                    (pass == 0 && quote_entry(&al->old, o) != quote_entry(&al->new, n)) ||
                    !dl_diff__text_equal_normalised(o->text, n->text))
                    continue;
                old_match[i] = j;
                new_match[j] = i;
                if (speakers_differ(o->speaker, n->speaker))
                    error = push_quote(&list, DL_DIFF_QUOTE_REATTRIBUTED, old, i, new, j);
                break;
            }
            if (error < 0)
                goto done;
        }
    }

    /* 2. Similar words within aligned blocks. */
    bags = calloc(no + nn + 1, sizeof(*bags));
    bag_counts = calloc(no + nn + 1, sizeof(*bag_counts));
    if (!bags || !bag_counts) {
        error = oom();
        goto done;
    }
    for (size_t k = 0; k < no + nn; k++) {
        bool is_old = k < no;
        size_t index = is_old ? k : k - no;
        if ((is_old ? old_match : new_match)[index] != DL_DIFF_NONE)
            continue;
        const char *text = (is_old ? old : new)->quotations[index].text;
        token *tokens = NULL;
        size_t count = 0;
        if ((error = dl_diff__tokenize(&tokens, &count, &al->words, text, strlen(text))) == 0)
            error = dl_diff__word_bag(&bags[k], &bag_counts[k], tokens, count);
        free(tokens);
        if (error < 0)
            goto done;
    }
    candidates c = {NULL, 0, 0};
    for (size_t i = 0; i < no && error == 0; i++) {
        if (old_match[i] != DL_DIFF_NONE)
            continue;
        size_t entry = quote_entry(&al->old, &old->quotations[i]);
        if (entry != SIZE_MAX - 1 && diff->blocks[entry].new_count == 0)
            continue;
        size_t rivals_old = 0, rivals_new = 0, only = DL_DIFF_NONE;
        for (size_t i2 = 0; i2 < no; i2++)
            rivals_old += old_match[i2] == DL_DIFF_NONE &&
                          quote_entry(&al->old, &old->quotations[i2]) == entry;
        for (size_t j = 0; j < nn; j++) {
            if (new_match[j] != DL_DIFF_NONE ||
                quote_entry(&al->new, &new->quotations[j]) != entry)
                continue;
            rivals_new++;
            only = j;
            double score = dl_diff__bag_dice(bags[i], bag_counts[i], bags[no + j], bag_counts[no + j]);
            if (score >= QUOTE_SIMILARITY)
                error = push_candidate(&c, (candidate){score, DL_DIFF_EDITED, i, j});
        }
        if (error == 0 && rivals_old == 1 && rivals_new == 1 &&
            dl_diff__bag_dice(bags[i], bag_counts[i], bags[no + only], bag_counts[no + only]) <
                QUOTE_SIMILARITY)
            error = push_candidate(&c, (candidate){0.0, DL_DIFF_EDITED, i, only});
    }
    if (error == 0 && c.count > 0)
        qsort(c.items, c.count, sizeof(*c.items), compare_candidates);
    for (size_t k = 0; k < c.count && error == 0; k++) {
        size_t i = c.items[k].old_index, j = c.items[k].new_index;
        if (old_match[i] != DL_DIFF_NONE || new_match[j] != DL_DIFF_NONE)
            continue;
        old_match[i] = j;
        new_match[j] = i;
        error = push_quote(&list, DL_DIFF_QUOTE_CHANGED, old, i, new, j);
    }
    free(c.items);
    if (error < 0)
        goto done;

    /* 3. The rest. */
    for (size_t j = 0; j < nn && error == 0; j++)
        if (new_match[j] == DL_DIFF_NONE)
            error = push_quote(&list, DL_DIFF_QUOTE_ADDED, old, DL_DIFF_NONE, new, j);
    for (size_t i = 0; i < no && error == 0; i++)
        if (old_match[i] == DL_DIFF_NONE)
            error = push_quote(&list, DL_DIFF_QUOTE_REMOVED, old, i, new, DL_DIFF_NONE);
    if (error < 0)
        goto done;
    if (list.count > 0)
        qsort(list.items, list.count, sizeof(*list.items), compare_quote_order);
    diff->quotations = list.items;
    diff->quotation_count = list.count;
    list.items = NULL;
    list.count = 0;
done:
    for (size_t k = 0; bags && k < no + nn; k++)
        free(bags[k]);
    free(bags);
    free(bag_counts);
    for (size_t k = 0; k < list.count; k++) {
        dl_diff_quotation *q = &list.items[k];
        free(q->old_text);
        free(q->new_text);
        free(q->old_speaker);
        free(q->speaker);
        dl_diff_words_dispose(&q->words);
    }
    free(list.items);
    free(old_match);
    free(new_match);
    return error;
}

/* ----------------------------------------------------------- events -- */

static int text_event(dl_diff_text **out, const dl_span *old, const dl_span *new)
{
    const char *a = old ? old->text : NULL, *b = new ? new->text : NULL;
    if (dl_diff__text_equal_normalised(a, b))
        return 0;
    dl_diff_text *event = calloc(1, sizeof(*event));
    if (!event)
        return oom();
    int error = 0;
    event->old_text = dup_or_null(a, &error);
    event->new_text = dup_or_null(b, &error);
    *out = event;
    return error;
}

/* ------------------------------------------------------------ stats -- */

static size_t op_words(const dl_diff_words *words, dl_diff_op op)
{
    size_t count = 0;
    for (size_t k = 0; k < words->count; k++)
        if (words->ops[k].op == op)
            count += dl_article_count_words(words->ops[k].text, words->ops[k].size);
    return count;
}

static void compute_stats(dl_diff *diff, const dl_article *old, const dl_article *new)
{
    dl_diff_stats *s = &diff->stats;
    for (size_t k = 0; k < diff->block_count; k++) {
        const dl_diff_block *e = &diff->blocks[k];
        switch (e->kind) {
        case DL_DIFF_UNCHANGED: s->unchanged++; break;
        case DL_DIFF_ADDED: s->added++; break;
        case DL_DIFF_REMOVED: s->removed++; break;
        case DL_DIFF_MOVED: s->moved++; break;
        case DL_DIFF_EDITED: s->edited++; break;
        case DL_DIFF_SPLIT: s->split++; break;
        case DL_DIFF_MERGED: s->merged++; break;
        }
        s->whitespace_only += e->whitespace_only != 0;
        if (e->kind == DL_DIFF_ADDED && new)
            s->words_added += new->blocks[e->new_index].words;
        else if (e->kind == DL_DIFF_REMOVED && old)
            s->words_removed += old->blocks[e->old_index].words;
        s->words_added += op_words(&e->words, DL_DIFF_INSERT);
        s->words_removed += op_words(&e->words, DL_DIFF_DELETE);
    }
    for (size_t k = 0; k < diff->quotation_count; k++) {
        switch (diff->quotations[k].change) {
        case DL_DIFF_QUOTE_CHANGED: s->quotations_changed++; break;
        case DL_DIFF_QUOTE_REATTRIBUTED: s->quotations_reattributed++; break;
        case DL_DIFF_QUOTE_ADDED: s->quotations_added++; break;
        case DL_DIFF_QUOTE_REMOVED: s->quotations_removed++; break;
        }
    }
    s->words_delta = (long long)(new ? new->stats.words : 0) - (long long)(old ? old->stats.words : 0);
}

/* -------------------------------------------------------------- api -- */

int dl_diff__align(dl_diff **out, const diff_unit *old_units, size_t old_count,
               const diff_unit *new_units, size_t new_count, const dl_article *old,
               const dl_article *new_article, const dl_diff_options *opts)
{
    static const dl_diff_options defaults = DL_DIFF_OPTIONS_INIT;
    aligner al;
    memset(&al, 0, sizeof(al));
    al.opts = opts ? opts : &defaults;
    al.threshold = al.opts->similarity > 0 ? al.opts->similarity : DL_DIFF_DEFAULT_SIMILARITY;
    al.old_article = old;
    al.new_article = new_article;
    bool full = !al.opts->blocks_only && (old || new_article);
    dl_diff *diff = calloc(1, sizeof(*diff));
    int error = diff ? 0 : oom();
    if (error == 0 && (error = dl_diff__intern_init(&al.words)) == 0)
        error = dl_diff__intern_init(&al.keys);
    if (error == 0 && (error = side_init(&al, &al.old, old_units, old_count)) == 0)
        error = side_init(&al, &al.new, new_units, new_count);
    if (error == 0 && (error = align_unchanged(&al)) == 0 && (error = align_moved(&al)) == 0 &&
        (error = align_similar(&al)) == 0 && (error = align_rest(&al)) == 0)
        error = order_entries(&al);
    if (error < 0)
        goto done;
    diff->blocks = al.entries;
    diff->block_count = al.entry_count;
    al.entries = NULL;

    for (size_t k = 0; k < diff->block_count; k++) {
        dl_diff_block *e = &diff->blocks[k];
        if (e->kind == DL_DIFF_UNCHANGED || e->kind == DL_DIFF_MOVED) {
            const side_block *o = &al.old.blocks[e->old_index], *n = &al.new.blocks[e->new_index];
            e->whitespace_only = o->body_size != n->body_size ||
                                 memcmp(o->body, n->body, o->body_size) != 0;
        } else if (full && e->old_count && e->new_count && (error = entry_words(&al, e)) < 0) {
            goto done;
        }
    }
    if (full) {
        const dl_article *o = old, *n = new_article;
        if ((error = align_quotations(&al, diff)) < 0 ||
            (error = text_event(&diff->headline, o ? o->headline : NULL, n ? n->headline : NULL)) < 0 ||
            (error = text_event(&diff->dek, o ? o->dek : NULL, n ? n->dek : NULL)) < 0 ||
            (error = text_event(&diff->byline, o ? o->byline : NULL, n ? n->byline : NULL)) < 0 ||
            (error = text_event(&diff->dateline, o ? o->dateline : NULL, n ? n->dateline : NULL)) < 0)
            goto done;
    }
    compute_stats(diff, old, new_article);
    *out = diff;
    diff = NULL;
done:
    dl_diff_free(diff);
    free(al.entries);
    dl_diff__intern_dispose(&al.keys);
    dl_diff__intern_dispose(&al.words);
    side_dispose(&al.old);
    side_dispose(&al.new);
    return error;
}

/* Each block's number within its kind, 1-based: ¶ numbers for paragraphs. */
static int block_numbers(size_t **out, const dl_article *article)
{
    size_t count = article ? article->block_count : 0;
    size_t *numbers = malloc((count + 1) * sizeof(*numbers));
    if (!numbers)
        return oom();
    size_t seen[DL_BLOCK_EDITOR_NOTE + 1] = {0};
    for (size_t i = 0; i < count; i++) {
        dl_block_kind kind = article->blocks[i].kind;
        numbers[i] = (size_t)kind <= DL_BLOCK_EDITOR_NOTE ? ++seen[kind] : i + 1;
    }
    *out = numbers;
    return 0;
}

int dl_diff_articles(dl_diff **out, const dl_article *old, const dl_article *new_article,
                     const dl_diff_options *opts)
{
    diff_unit *old_units = NULL, *new_units = NULL;
    size_t *old_numbers = NULL, *new_numbers = NULL;
    dl_diff *diff = NULL;
    int error = article_units(&old_units, old);
    if (error == 0 && (error = article_units(&new_units, new_article)) == 0 &&
        (error = block_numbers(&old_numbers, old)) == 0 &&
        (error = block_numbers(&new_numbers, new_article)) == 0)
        error = dl_diff__align(&diff, old_units, old ? old->block_count : 0, new_units,
                           new_article ? new_article->block_count : 0, old, new_article, opts);
    for (size_t k = 0; error == 0 && k < diff->block_count; k++) {
        dl_diff_block *e = &diff->blocks[k];
        if (e->old_count) {
            e->old_kind = old->blocks[e->old_index].kind;
            e->old_number = old_numbers[e->old_index];
        }
        if (e->new_count) {
            e->new_kind = new_article->blocks[e->new_index].kind;
            e->new_number = new_numbers[e->new_index];
        }
    }
    if (error == 0)
        *out = diff;
    free(old_units);
    free(new_units);
    free(old_numbers);
    free(new_numbers);
    return error;
}

void dl_diff_block_label(char *out, size_t size, dl_block_kind kind, size_t number)
{
    static const char *names[] = {"byline", "timestamp", "¶", "subhead", "list", "editor’s note"};
    if (kind == DL_BLOCK_PARAGRAPH || (size_t)kind >= sizeof(names) / sizeof(names[0]))
        snprintf(out, size, "¶%zu", number);
    else
        snprintf(out, size, "%s %zu", names[kind], number);
}

static void text_free(dl_diff_text *text)
{
    if (text) {
        free(text->old_text);
        free(text->new_text);
        free(text);
    }
}

void dl_diff_free(dl_diff *diff)
{
    if (!diff)
        return;
    for (size_t k = 0; k < diff->block_count; k++)
        dl_diff_words_dispose(&diff->blocks[k].words);
    free(diff->blocks);
    text_free(diff->headline);
    text_free(diff->dek);
    text_free(diff->byline);
    text_free(diff->dateline);
    for (size_t k = 0; k < diff->quotation_count; k++) {
        dl_diff_quotation *q = &diff->quotations[k];
        free(q->old_text);
        free(q->new_text);
        free(q->old_speaker);
        free(q->speaker);
        dl_diff_words_dispose(&q->words);
    }
    free(diff->quotations);
    free(diff);
}

/* ---------------------------------------------------------- summary -- */

const char *dl_diff_kind_name(dl_diff_kind kind)
{
    static const char *names[] = {"unchanged", "added", "removed", "moved",
                                  "edited",    "split", "merged"};
    return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const char *dl_diff_quote_change_name(dl_diff_quote_change change)
{
    static const char *names[] = {"changed", "reattributed", "added", "removed"};
    return (size_t)change < sizeof(names) / sizeof(names[0]) ? names[change] : "unknown";
}

typedef struct {
    char *text;
    size_t size, capacity;
    int failed;
} buffer;

static void append(buffer *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void append(buffer *b, const char *format, ...)
{
    if (b->failed)
        return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (n < 0 || b->size + (size_t)n + 1 > b->capacity) {
        size_t capacity = (b->capacity + (size_t)(n < 0 ? 0 : n) + 64) * 2;
        char *larger = n < 0 ? NULL : realloc(b->text, capacity);
        if (!larger) {
            b->failed = 1;
            return;
        }
        b->text = larger;
        b->capacity = capacity;
    }
    va_start(args, format);
    vsnprintf(b->text + b->size, b->capacity - b->size, format, args);
    va_end(args);
    b->size += (size_t)n;
}

/* How many numbers a group lists before saying "N paragraphs" instead. */
#define SUMMARY_LIST_MAX 3

/* "¶3 edited", "¶3, ¶7 edited", "5 paragraphs edited". */
static void summarise_kind(buffer *b, const dl_diff *diff, dl_diff_kind kind, int *groups)
{
    size_t count = 0;
    for (size_t k = 0; k < diff->block_count; k++)
        count += diff->blocks[k].kind == kind;
    if (count == 0)
        return;
    append(b, "%s", (*groups)++ ? ", " : "");
    if (count > SUMMARY_LIST_MAX) {
        append(b, "%zu paragraphs %s", count, dl_diff_kind_name(kind));
        return;
    }
    size_t listed = 0;
    for (size_t k = 0; k < diff->block_count; k++) {
        const dl_diff_block *e = &diff->blocks[k];
        if (e->kind != kind)
            continue;
        char label[64];
        if (kind == DL_DIFF_REMOVED)
            dl_diff_block_label(label, sizeof(label), e->old_kind, e->old_number);
        else
            dl_diff_block_label(label, sizeof(label), e->new_kind, e->new_number);
        append(b, "%s%s", listed++ ? ", " : "", label);
    }
    append(b, " %s", dl_diff_kind_name(kind));
}

static void summarise_quotes(buffer *b, const dl_diff *diff, dl_diff_quote_change change,
                             int *groups)
{
    size_t count = 0, named = 0;
    for (size_t k = 0; k < diff->quotation_count; k++) {
        count += diff->quotations[k].change == change;
        named += diff->quotations[k].change == change && diff->quotations[k].speaker;
    }
    if (count == 0)
        return;
    append(b, "%s", (*groups)++ ? "; " : "");
    if (count == 1)
        append(b, "quotation %s", dl_diff_quote_change_name(change));
    else
        append(b, "%zu quotations %s", count, dl_diff_quote_change_name(change));
    if (named == 0)
        return;
    /* The speakers, each once, in order. */
    append(b, " (");
    size_t listed = 0;
    for (size_t k = 0; k < diff->quotation_count; k++) {
        const dl_diff_quotation *q = &diff->quotations[k];
        if (q->change != change || !q->speaker)
            continue;
        bool seen = false;
        for (size_t p = 0; p < k && !seen; p++)
            seen = diff->quotations[p].change == change && diff->quotations[p].speaker &&
                   strcmp(diff->quotations[p].speaker, q->speaker) == 0;
        if (seen)
            continue;
        if (change == DL_DIFF_QUOTE_REATTRIBUTED && q->old_speaker)
            append(b, "%s%s → %s", listed++ ? ", " : "", q->old_speaker, q->speaker);
        else
            append(b, "%s%s", listed++ ? ", " : "", q->speaker);
    }
    append(b, ")");
}

int dl_diff_summary(char **out, const dl_diff *diff)
{
    buffer b = {NULL, 0, 0, 0};
    int groups = 0, blocks = 0;
    static const dl_diff_kind order[] = {DL_DIFF_EDITED, DL_DIFF_ADDED, DL_DIFF_REMOVED,
                                         DL_DIFF_MOVED,  DL_DIFF_SPLIT, DL_DIFF_MERGED};
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
        summarise_kind(&b, diff, order[k], &blocks);
    groups = blocks > 0;
    static const dl_diff_quote_change quote_order[] = {
        DL_DIFF_QUOTE_CHANGED, DL_DIFF_QUOTE_REATTRIBUTED, DL_DIFF_QUOTE_ADDED,
        DL_DIFF_QUOTE_REMOVED};
    for (size_t k = 0; k < sizeof(quote_order) / sizeof(quote_order[0]); k++)
        summarise_quotes(&b, diff, quote_order[k], &groups);
    const struct {
        const dl_diff_text *event;
        const char *name;
    } events[] = {{diff->headline, "headline"},
                  {diff->dek, "dek"},
                  {diff->byline, "byline"},
                  {diff->dateline, "dateline"}};
    for (size_t k = 0; k < sizeof(events) / sizeof(events[0]); k++) {
        if (!events[k].event)
            continue;
        const char *verb = !events[k].event->old_text ? "added"
                           : !events[k].event->new_text ? "removed"
                                                        : "changed";
        append(&b, "%s%s %s", groups++ ? "; " : "", events[k].name, verb);
    }
    if (groups == 0)
        append(&b, "%s", diff->stats.whitespace_only ? "whitespace only" : "no changes");
    if (b.failed) {
        free(b.text);
        return oom();
    }
    *out = b.text;
    return 0;
}
