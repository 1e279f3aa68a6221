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
    token *tokens;    /* made when needed, released after: see tokens_of */
    size_t token_count;
    uint32_t key;     /* equal keys, equal normalised texts (assign_keys) */
    uint32_t *bag;    /* sorted word ids, built on demand */
    size_t bag_count; /* SIZE_MAX: no bag yet */
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
    size_t budget; /* cells left to spend (see dl_diff_options.budget) */
    size_t *limit; /* &budget, or NULL for an exact diff */
    int coarse;    /* some step ran out of budget and took the coarse answer */
    intern_table words; /* word and punctuation tokens, both versions */
    size_t key_count;   /* block keys are below this (assign_keys) */
    side old, new;
    dl_diff_block *entries;
    size_t entry_count, entry_capacity;
} aligner;

static int oom(void)
{
    return dl_error_set(DL_ERROR, "out of memory");
}

/* Take `cells` from the budget before doing that much work. False when
 * they are not there: the caller takes its coarse answer instead, and the
 * diff says so. */
static bool spend(aligner *al, double cells)
{
    if (!al->limit)
        return true;
    if (cells > (double)al->budget) {
        al->budget = 0;
        al->coarse = 1;
        return false;
    }
    al->budget -= (size_t)cells;
    return true;
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

static int side_init(side *s, const diff_unit *units, size_t count)
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
        b->bag_count = SIZE_MAX;
    }
    return 0;
}

/*
 * Block keys: equal keys for blocks whose texts are equal once whitespace
 * runs count as one space and the ends are trimmed, so CRLF, double spaces
 * and re-wrapped lines do not count as edits. Hashed and compared straight
 * from the bytes: most blocks are unchanged and never need their tokens,
 * which for a 100 MB article would take 16 bytes a word.
 */
typedef struct {
    uint64_t hash;
    const side_block *block; /* NULL: empty slot */
    uint32_t id;
} key_slot;

static bool same_bytes(const side_block *a, const side_block *b)
{
    return a->body_size == b->body_size && memcmp(a->body, b->body, a->body_size) == 0;
}

static int assign_keys(aligner *al)
{
    side_block *old = al->old.blocks, *new = al->new.blocks;
    size_t n = al->old.count, m = al->new.count, head = 0, tail = 0;
    uint32_t next_id = 0;
    /* The blocks before the first change and after the last (all of them
     * but one, for a typo fixed) pair up by their bytes alone, each pair
     * with a key of its own: hashing them would be most of the work. */
    while (head < n && head < m && same_bytes(&old[head], &new[head])) {
        old[head].key = new[head].key = next_id++;
        head++;
    }
    while (tail < n - head && tail < m - head &&
           same_bytes(&old[n - 1 - tail], &new[m - 1 - tail])) {
        old[n - 1 - tail].key = new[m - 1 - tail].key = next_id++;
        tail++;
    }
    size_t total = (n - head - tail) + (m - head - tail), capacity = 16;
    while (capacity < 2 * total)
        capacity *= 2;
    key_slot *slots = calloc(capacity, sizeof(*slots));
    if (!slots)
        return oom();
    side *sides[] = {&al->old, &al->new};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = head; i + tail < sides[s]->count; i++) {
            side_block *b = &sides[s]->blocks[i];
            uint64_t hash = dl_diff__normalised_hash(b->body, b->body_size);
            size_t k = hash & (capacity - 1);
            while (slots[k].block &&
                   (slots[k].hash != hash ||
                    !dl_diff__normalised_equal(slots[k].block->body, slots[k].block->body_size,
                                               b->body, b->body_size)))
                k = (k + 1) & (capacity - 1);
            if (!slots[k].block)
                slots[k] = (key_slot){hash, b, next_id++};
            b->key = slots[k].id;
        }
    }
    al->key_count = next_id;
    free(slots);
    return 0;
}

/* The block's tokens, made when needed (one table for both versions:
 * equal words, equal ids). Released by the caller with tokens_drop. */
static int tokens_of(aligner *al, side_block *b)
{
    if (b->tokens)
        return 0;
    return dl_diff__tokenize(&b->tokens, &b->token_count, &al->words, b->body, b->body_size);
}

static void tokens_drop(side_block *b)
{
    free(b->tokens);
    b->tokens = NULL;
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

/* The block's word bag, built the first time it is needed. */
static int bag_of(aligner *al, side_block *b)
{
    if (b->bag_count != SIZE_MAX)
        return 0;
    int error = tokens_of(al, b);
    if (error == 0)
        error = dl_diff__word_bag(&b->bag, &b->bag_count, b->tokens, b->token_count);
    tokens_drop(b);
    return error;
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
    int over = dl_diff__myers_diff(deleted, inserted, a, n, b, m, al->limit);
    if (over < 0) {
        error = over;
        goto done;
    }
    if (over) {
        /* Over budget (a rewrite: thousands of blocks, none in common):
         * only the common first and last blocks are kept as unchanged;
         * everything between is left to the steps below. */
        al->coarse = 1;
        size_t head = 0, tail = 0;
        while (head < n && head < m && a[head] == b[head])
            head++;
        while (tail < n - head && tail < m - head && a[n - 1 - tail] == b[m - 1 - tail])
            tail++;
        memset(deleted, 0, n);
        memset(inserted, 0, m);
        memset(deleted + head, 1, n - head - tail);
        memset(inserted + head, 1, m - head - tail);
    }
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
 * unmatched old block with its key: the unmatched old blocks are chained
 * per key in order, so this is linear however many blocks moved. */
static int align_moved(aligner *al)
{
    size_t keys = al->key_count;
    size_t *head = malloc((keys + 1) * sizeof(*head));
    size_t *next = malloc((al->old.count + 1) * sizeof(*next));
    int error = 0;
    if (!head || !next) {
        error = oom();
        goto done;
    }
    for (size_t k = 0; k < keys; k++)
        head[k] = DL_DIFF_NONE;
    for (size_t i = al->old.count; i-- > 0;) {
        if (!unmatched(&al->old, i))
            continue;
        uint32_t key = al->old.blocks[i].key;
        next[i] = head[key];
        head[key] = i;
    }
    for (size_t j = 0; j < al->new.count && error == 0; j++) {
        uint32_t key = al->new.blocks[j].key;
        size_t i = head[key];
        if (!unmatched(&al->new, j) || i == DL_DIFF_NONE)
            continue;
        head[key] = next[i];
        error = add_entry(al, DL_DIFF_MOVED, i, 1, j, 1, 1.0);
    }
done:
    free(head);
    free(next);
    return error;
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

/* What weighing the unmatched pairs costs, in cells: each pair compared
 * (between the same unchanged neighbours unless `global`) merges the two
 * word bags, and a split and a merge check each merge them again. Counted
 * per gap from the sizes alone (a word takes at least two bytes with the
 * space after it), so a rewrite is refused before any work. */
static double similar_cost(aligner *al, bool global)
{
    size_t gaps = 1;
    for (size_t i = 0; i < al->old.count; i++)
        if (unmatched(&al->old, i) && al->old.blocks[i].gap + 1 > gaps)
            gaps = al->old.blocks[i].gap + 1;
    for (size_t j = 0; j < al->new.count; j++)
        if (unmatched(&al->new, j) && al->new.blocks[j].gap + 1 > gaps)
            gaps = al->new.blocks[j].gap + 1;
    if (global)
        gaps = 1;
    /* Per gap: old blocks, old words, new blocks, new words. */
    double *sums = calloc(4 * gaps, sizeof(*sums));
    if (!sums)
        return 1e300; /* cannot even count: refuse */
    for (size_t i = 0; i < al->old.count; i++) {
        if (!unmatched(&al->old, i))
            continue;
        size_t g = global ? 0 : al->old.blocks[i].gap;
        sums[4 * g] += 1;
        sums[4 * g + 1] += (double)al->old.blocks[i].body_size / 2;
    }
    for (size_t j = 0; j < al->new.count; j++) {
        if (!unmatched(&al->new, j))
            continue;
        size_t g = global ? 0 : al->new.blocks[j].gap;
        sums[4 * g + 2] += 1;
        sums[4 * g + 3] += (double)al->new.blocks[j].body_size / 2;
    }
    double cost = 0;
    for (size_t g = 0; g < gaps; g++) {
        const double *x = &sums[4 * g];
        cost += 3 * (x[0] * x[3] + x[1] * x[2] + x[0] * x[2]);
    }
    free(sums);
    return cost;
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
    if (!spend(al, similar_cost(al, global))) {
        /* Too many pairs to weigh (a rewrite): the unmatched blocks stay
         * added and removed, and the diff is marked coarse. */
        return 0;
    }

    int error = 0;
    candidates c = {NULL, 0, 0};
    for (size_t i = 0; i < old->count && error == 0; i++)
        if (unmatched(old, i))
            error = bag_of(al, &old->blocks[i]);
    for (size_t j = 0; j < new->count && error == 0; j++)
        if (unmatched(new, j))
            error = bag_of(al, &new->blocks[j]);

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
    size_t *position = malloc((n + 1) * sizeof(*position));
    size_t *after = malloc((al->old.count + 1) * sizeof(*after));
    if (!keys || !position || !after) {
        free(keys);
        free(position);
        free(after);
        return oom();
    }
    /* after[i]: the key right after old block i's nearest surviving
     * predecessor, found in one pass (a rewrite removes thousands of
     * blocks; each must not search back on its own). */
    size_t running = 0;
    for (size_t i = 0; i < al->old.count; i++) {
        after[i] = running;
        const dl_diff_block *entry = &al->entries[al->old.blocks[i].entry];
        if (entry->new_count)
            running = 2 * (entry->new_index + entry->new_count - 1) + 2;
    }
    for (size_t e = 0; e < n; e++) {
        const dl_diff_block *entry = &al->entries[e];
        size_t key = entry->new_count ? 2 * entry->new_index + 1 : after[entry->old_index];
        keys[e] = (order_key){key, entry->old_count ? entry->old_index : 0, e};
    }
    if (n > 0)
        qsort(keys, n, sizeof(*keys), compare_order);
    for (size_t k = 0; k < n; k++)
        position[keys[k].entry] = k;
    for (size_t i = 0; i < al->old.count; i++)
        al->old.blocks[i].entry = position[al->old.blocks[i].entry];
    for (size_t j = 0; j < al->new.count; j++)
        al->new.blocks[j].entry = position[al->new.blocks[j].entry];
    /* Slot k takes entry keys[k].entry, moved in place one cycle of the
     * permutation at a time: a sorted copy would be one more array of
     * every block's entry (tens of MB for a 100 MB article). */
    for (size_t k = 0; k < n; k++) {
        if (keys[k].entry == DL_DIFF_NONE)
            continue;
        dl_diff_block held = al->entries[k];
        for (size_t j = k;;) {
            size_t from = keys[j].entry;
            keys[j].entry = DL_DIFF_NONE; /* placed */
            if (from == k) {
                al->entries[j] = held;
                break;
            }
            al->entries[j] = al->entries[from];
            j = from;
        }
    }
    /* Doubling left up to half of the array unused; the diff keeps it. */
    dl_diff_block *fitted = n ? realloc(al->entries, n * sizeof(*fitted)) : NULL;
    if (fitted) {
        al->entries = fitted;
        al->entry_capacity = n;
    }
    free(keys);
    free(position);
    free(after);
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
    side_block *o = &al->old.blocks[e->old_index], *n = &al->new.blocks[e->new_index];
    if (error == 0 && !old_joined)
        error = tokens_of(al, o);
    if (error == 0 && !new_joined)
        error = tokens_of(al, n);
    if (error == 0) {
        error = dl_diff__words_from_tokens(
            &e->words, old_joined ? old_joined : o->body,
            old_joined ? old_joined_tokens : o->tokens, old_joined ? old_count : o->token_count,
            new_joined ? new_joined : n->body, new_joined ? new_joined_tokens : n->tokens,
            new_joined ? new_count : n->token_count, al->limit);
        /* Over budget (one huge paragraph rewritten): the block keeps its
         * kind, its words say "replaced as a whole", the diff is coarse. */
        if (error == 1) {
            al->coarse = 1;
            error = 0;
        }
    }
    tokens_drop(o);
    tokens_drop(n);
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

static int push_quote(aligner *al, quote_list *list, dl_diff_quote_change change, size_t oq,
                      size_t nq)
{
    const dl_article *old = al->old_article, *new = al->new_article;
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
    if (error == 0 && change == DL_DIFF_QUOTE_CHANGED &&
        (error = dl_diff__words_within(&q->words, o->text, strlen(o->text), n->text,
                                       strlen(n->text), al->limit)) == 1) {
        al->coarse = 1; /* a huge quotation: its words replaced as a whole */
        error = 0;
    }
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

/* Each quotation's words as a key (token ids, whitespace trimmed, so equal
 * keys are equal normalised texts) and, for those left unmatched, as a word
 * bag. Both versions' quotations go through one table, old ones first. */
typedef struct {
    intern_table table;
    uint32_t **ids; /* the key bytes, alive as long as the table */
    uint32_t *key;
    uint32_t **bags;
    size_t *bag_counts;
    size_t count;
} quote_keys;

static void quote_keys_dispose(quote_keys *q)
{
    dl_diff__intern_dispose(&q->table);
    for (size_t k = 0; k < q->count; k++) {
        free(q->ids ? q->ids[k] : NULL);
        free(q->bags ? q->bags[k] : NULL);
    }
    free(q->ids);
    free(q->key);
    free(q->bags);
    free(q->bag_counts);
}

static int quote_keys_init(quote_keys *q, aligner *al, const dl_article *old,
                           const dl_article *new, size_t no, size_t nn)
{
    memset(q, 0, sizeof(*q));
    int error = dl_diff__intern_init(&q->table);
    if (error < 0)
        return error;
    q->count = no + nn;
    q->ids = calloc(q->count + 1, sizeof(*q->ids));
    q->key = calloc(q->count + 1, sizeof(*q->key));
    q->bags = calloc(q->count + 1, sizeof(*q->bags));
    q->bag_counts = calloc(q->count + 1, sizeof(*q->bag_counts));
    if (!q->ids || !q->key || !q->bags || !q->bag_counts)
        return oom();
    for (size_t k = 0; k < q->count && error == 0; k++) {
        const char *text = k < no ? old->quotations[k].text : new->quotations[k - no].text;
        token *tokens = NULL;
        size_t count = 0;
        if ((error = dl_diff__tokenize(&tokens, &count, &al->words, text, strlen(text))) < 0)
            break;
        size_t first = 0, last = count;
        while (first < last && tokens[first].id == SPACE_ID)
            first++;
        while (last > first && tokens[last - 1].id == SPACE_ID)
            last--;
        q->ids[k] = malloc((last - first + 1) * sizeof(**q->ids));
        if (!q->ids[k])
            error = oom();
        for (size_t t = first; error == 0 && t < last; t++)
            q->ids[k][t - first] = tokens[t].id;
        int64_t key = error == 0 ? dl_diff__intern(&q->table, q->ids[k],
                                                   (last - first) * sizeof(**q->ids))
                                 : error;
        if (key < 0)
            error = (int)key;
        else
            q->key[k] = (uint32_t)key;
        free(tokens);
    }
    return error;
}

static int quote_bag(quote_keys *q, aligner *al, size_t k, const char *text)
{
    token *tokens = NULL;
    size_t count = 0;
    int error = dl_diff__tokenize(&tokens, &count, &al->words, text, strlen(text));
    if (error == 0)
        error = dl_diff__word_bag(&q->bags[k], &q->bag_counts[k], tokens, count);
    free(tokens);
    return error;
}

/* An entry's slot in per-entry tables: the headline's (SIZE_MAX - 1) last. */
static size_t entry_slot(const dl_diff *diff, size_t entry)
{
    return entry == SIZE_MAX - 1 ? diff->block_count : entry;
}

static int align_quotations(aligner *al, dl_diff *diff)
{
    const dl_article *old = al->old_article, *new = al->new_article;
    size_t no = old ? old->quotation_count : 0, nn = new ? new->quotation_count : 0;
    size_t slots = diff->block_count + 1;
    size_t *old_match = malloc((no + 1) * sizeof(size_t));
    size_t *new_match = malloc((nn + 1) * sizeof(size_t));
    size_t *first = malloc(slots * sizeof(size_t)), *end = calloc(slots, sizeof(size_t));
    size_t *head = NULL, *next = malloc((no + 1) * sizeof(size_t));
    quote_list list = {NULL, 0, 0};
    quote_keys q;
    int error = quote_keys_init(&q, al, old, new, no, nn);
    if (error == 0 && (!old_match || !new_match || !first || !end || !next ||
                       !(head = malloc((q.table.next_id + 1) * sizeof(size_t)))))
        error = oom();
    if (error < 0)
        goto done;
    for (size_t i = 0; i < no; i++)
        old_match[i] = DL_DIFF_NONE;
    for (size_t j = 0; j < nn; j++)
        new_match[j] = DL_DIFF_NONE;

    /* 1a. Equal words in the aligned block. A block's quotations are
     * consecutive, so each entry has a range of old quotations to look in. */
    for (size_t e = 0; e < slots; e++)
        first[e] = SIZE_MAX;
    for (size_t i = 0; i < no; i++) {
        size_t e = entry_slot(diff, quote_entry(&al->old, &old->quotations[i]));
        if (first[e] == SIZE_MAX)
            first[e] = i;
        end[e] = i + 1;
    }
    for (size_t j = 0; j < nn && error == 0; j++) {
        size_t entry = quote_entry(&al->new, &new->quotations[j]), e = entry_slot(diff, entry);
        if (first[e] == SIZE_MAX)
            continue;
        /* Many equal quotations in one huge paragraph would make this a
         * square: it is paid for, and 1b still matches what is left. */
        if (!spend(al, (double)(end[e] - first[e])))
            break;
        for (size_t i = first[e]; i < end[e]; i++) {
            if (old_match[i] != DL_DIFF_NONE || q.key[i] != q.key[no + j] ||
                quote_entry(&al->old, &old->quotations[i]) != entry)
                continue;
            old_match[i] = j;
            new_match[j] = i;
            break;
        }
    }
    /* 1b. Equal words anywhere: the unmatched old quotations are chained
     * per key in order, and each new one takes the first. */
    for (size_t k = 0; k < q.table.next_id; k++)
        head[k] = DL_DIFF_NONE;
    for (size_t i = no; i-- > 0;) {
        if (old_match[i] != DL_DIFF_NONE)
            continue;
        next[i] = head[q.key[i]];
        head[q.key[i]] = i;
    }
    for (size_t j = 0; j < nn; j++) {
        size_t i = head[q.key[no + j]];
        if (new_match[j] != DL_DIFF_NONE || i == DL_DIFF_NONE)
            continue;
        head[q.key[no + j]] = next[i];
        old_match[i] = j;
        new_match[j] = i;
    }
    for (size_t j = 0; j < nn && error == 0; j++) {
        size_t i = new_match[j];
        if (i != DL_DIFF_NONE &&
            speakers_differ(old->quotations[i].speaker, new->quotations[j].speaker))
            error = push_quote(al, &list, DL_DIFF_QUOTE_REATTRIBUTED, i, j);
    }
    if (error < 0)
        goto done;

    /* 2. Similar words within aligned blocks: every unmatched old quotation
     * is weighed against the unmatched new ones of its entry. */
    size_t old_left = 0, new_left = 0;
    for (size_t i = 0; i < no; i++)
        old_left += old_match[i] == DL_DIFF_NONE;
    for (size_t j = 0; j < nn; j++)
        new_left += new_match[j] == DL_DIFF_NONE;
    candidates c = {NULL, 0, 0};
    if (old_left == 0 || new_left == 0 || !spend(al, (double)old_left * (double)(no + nn)))
        old_left = 0; /* nothing to weigh, or too much: the rest is added and removed */
    for (size_t i = 0; i < no && error == 0 && old_left; i++)
        if (old_match[i] == DL_DIFF_NONE)
            error = quote_bag(&q, al, i, old->quotations[i].text);
    for (size_t j = 0; j < nn && error == 0 && old_left; j++)
        if (new_match[j] == DL_DIFF_NONE)
            error = quote_bag(&q, al, no + j, new->quotations[j].text);
    for (size_t i = 0; i < no && error == 0 && old_left; i++) {
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
            double score = dl_diff__bag_dice(q.bags[i], q.bag_counts[i], q.bags[no + j],
                                             q.bag_counts[no + j]);
            if (score >= QUOTE_SIMILARITY)
                error = push_candidate(&c, (candidate){score, DL_DIFF_EDITED, i, j});
        }
        if (error == 0 && rivals_old == 1 && rivals_new == 1 &&
            dl_diff__bag_dice(q.bags[i], q.bag_counts[i], q.bags[no + only],
                              q.bag_counts[no + only]) < QUOTE_SIMILARITY)
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
        error = push_quote(al, &list, DL_DIFF_QUOTE_CHANGED, i, j);
    }
    free(c.items);
    if (error < 0)
        goto done;

    /* 3. The rest. */
    for (size_t j = 0; j < nn && error == 0; j++)
        if (new_match[j] == DL_DIFF_NONE)
            error = push_quote(al, &list, DL_DIFF_QUOTE_ADDED, DL_DIFF_NONE, j);
    for (size_t i = 0; i < no && error == 0; i++)
        if (old_match[i] == DL_DIFF_NONE)
            error = push_quote(al, &list, DL_DIFF_QUOTE_REMOVED, i, DL_DIFF_NONE);
    if (error < 0)
        goto done;
    if (list.count > 0)
        qsort(list.items, list.count, sizeof(*list.items), compare_quote_order);
    diff->quotations = list.items;
    diff->quotation_count = list.count;
    list.items = NULL;
    list.count = 0;
done:
    quote_keys_dispose(&q);
    for (size_t k = 0; k < list.count; k++) {
        dl_diff_quotation *dq = &list.items[k];
        free(dq->old_text);
        free(dq->new_text);
        free(dq->old_speaker);
        free(dq->speaker);
        dl_diff_words_dispose(&dq->words);
    }
    free(list.items);
    free(old_match);
    free(new_match);
    free(first);
    free(end);
    free(head);
    free(next);
    return error;
}

/* ----------------------------------------------------------- events -- */

/* A span's text as a string of its own (the event outlives the models). */
static char *span_copy(const dl_span *span, int *error)
{
    if (!span)
        return NULL;
    char *copy = malloc(span->size + 1);
    if (!copy) {
        *error = oom();
        return NULL;
    }
    memcpy(copy, span->text, span->size);
    copy[span->size] = '\0';
    return copy;
}

static int text_event(dl_diff_text **out, const dl_span *old, const dl_span *new)
{
    int error = 0;
    char *a = span_copy(old, &error), *b = span_copy(new, &error);
    if (error < 0 || dl_diff__text_equal_normalised(a, b)) {
        free(a);
        free(b);
        return error;
    }
    dl_diff_text *event = calloc(1, sizeof(*event));
    if (!event) {
        free(a);
        free(b);
        return oom();
    }
    event->old_text = a;
    event->new_text = b;
    *out = event;
    return 0;
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
    al.budget = al.opts->budget ? al.opts->budget : DL_DIFF_DEFAULT_BUDGET;
    al.limit = al.opts->exact ? NULL : &al.budget;
    al.old_article = old;
    al.new_article = new_article;
    bool full = !al.opts->blocks_only && (old || new_article);
    dl_diff *diff = calloc(1, sizeof(*diff));
    int error = diff ? 0 : oom();
    if (error == 0 && (error = dl_diff__intern_init(&al.words)) == 0 &&
        (error = side_init(&al.old, old_units, old_count)) == 0 &&
        (error = side_init(&al.new, new_units, new_count)) == 0)
        error = assign_keys(&al);
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
    diff->coarse = al.coarse;
    *out = diff;
    diff = NULL;
done:
    dl_diff_free(diff);
    free(al.entries);
    dl_diff__intern_dispose(&al.words);
    side_dispose(&al.old);
    side_dispose(&al.new);
    return error;
}

int dl_diff__block_numbers(size_t **out, const dl_article *article)
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
        (error = dl_diff__block_numbers(&old_numbers, old)) == 0 &&
        (error = dl_diff__block_numbers(&new_numbers, new_article)) == 0)
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

/* How many speakers a quotation group names before an ellipsis. */
#define SUMMARY_SPEAKERS_MAX 5

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

/* A coarse diff that both adds and removes blocks has not paired them: it
 * says "¶2–¶2,000 rewritten" (the new blocks) rather than pretending to
 * know that thousands of paragraphs were added and others removed. */
static bool summarise_rewritten(buffer *b, const dl_diff *diff, int *groups)
{
    const dl_diff_block *first = NULL, *last = NULL;
    bool removed = false;
    for (size_t k = 0; k < diff->block_count; k++) {
        const dl_diff_block *e = &diff->blocks[k];
        removed = removed || e->kind == DL_DIFF_REMOVED;
        if (e->kind == DL_DIFF_ADDED) {
            first = first ? first : e;
            last = e;
        }
    }
    if (!diff->coarse || !first || !removed)
        return false;
    char from[64], to[64];
    dl_diff_block_label(from, sizeof(from), first->new_kind, first->new_number);
    dl_diff_block_label(to, sizeof(to), last->new_kind, last->new_number);
    append(b, "%s%s%s%s rewritten", (*groups)++ ? ", " : "", from, first == last ? "" : "–",
           first == last ? "" : to);
    return true;
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
    /* The speakers, each once, in order; past SUMMARY_SPEAKERS_MAX an
     * ellipsis (a rewrite quotes thousands: the line stays a line, and
     * checking each against the few listed keeps it linear). */
    append(b, " (");
    const dl_diff_quotation *listed[SUMMARY_SPEAKERS_MAX];
    size_t count_listed = 0;
    for (size_t k = 0; k < diff->quotation_count; k++) {
        const dl_diff_quotation *q = &diff->quotations[k];
        if (q->change != change || !q->speaker)
            continue;
        bool seen = false;
        for (size_t p = 0; p < count_listed && !seen; p++)
            seen = strcmp(listed[p]->speaker, q->speaker) == 0;
        if (seen)
            continue;
        if (count_listed == SUMMARY_SPEAKERS_MAX) {
            append(b, ", …");
            break;
        }
        if (change == DL_DIFF_QUOTE_REATTRIBUTED && q->old_speaker)
            append(b, "%s%s → %s", count_listed ? ", " : "", q->old_speaker, q->speaker);
        else
            append(b, "%s%s", count_listed ? ", " : "", q->speaker);
        listed[count_listed++] = q;
    }
    append(b, ")");
}

int dl_diff_summary(char **out, const dl_diff *diff)
{
    buffer b = {NULL, 0, 0, 0};
    int groups = 0, blocks = 0;
    static const dl_diff_kind order[] = {DL_DIFF_EDITED, DL_DIFF_ADDED, DL_DIFF_REMOVED,
                                         DL_DIFF_MOVED,  DL_DIFF_SPLIT, DL_DIFF_MERGED};
    bool rewritten = summarise_rewritten(&b, diff, &blocks);
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
        if (!rewritten || (order[k] != DL_DIFF_ADDED && order[k] != DL_DIFF_REMOVED))
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
    if (diff->coarse)
        append(&b, "; coarse summary");
    if (b.failed) {
        free(b.text);
        return oom();
    }
    *out = b.text;
    return 0;
}
